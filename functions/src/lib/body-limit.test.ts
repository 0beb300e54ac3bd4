import { HttpsError, type CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { declaredContentLength, declaredOversize, ENVELOPE_ALLOWANCE_BYTES } from "./body-limit";
import { callableHandler, type CallableGuard } from "./callable";
import { DEFAULT_MAX_INPUT_BYTES } from "./validation";

function setup(maxBytes?: number) {
  const guard = { limit: jest.fn(async () => undefined), reportFailure: jest.fn(async () => undefined) } satisfies CallableGuard;
  const handle = jest.fn(async () => "ran");
  const handler = callableHandler({ name: "test.body", input: z.strictObject({}), ...(maxBytes ? { parse: { maxBytes } } : {}), rateLimit: { policy: "write" }, handle }, guard);
  return { guard, handle, handler };
}

const request = (contentLength: string | undefined, uid?: string) =>
  ({ data: {}, ...(uid ? { auth: { uid, token: { uid } } } : {}), rawRequest: { headers: contentLength === undefined ? {} : { "content-length": contentLength } } }) as unknown as CallableRequest<unknown>;

describe("declared body size", () => {
  it("reads a plain decimal Content-Length and nothing else", () => {
    expect(declaredContentLength({ "content-length": "1024" })).toBe(1024);
    expect(declaredContentLength({ "content-length": " 7 " })).toBe(7);
    expect(declaredContentLength({})).toBeUndefined();
    expect(declaredContentLength(undefined)).toBeUndefined();
    expect(declaredContentLength({ "content-length": "-1" })).toBeUndefined();
    expect(declaredContentLength({ "content-length": "1e9" })).toBeUndefined();
  });

  it("allows the limit plus the envelope, refuses one byte more with the sizes in its details", () => {
    const limit = DEFAULT_MAX_INPUT_BYTES + ENVELOPE_ALLOWANCE_BYTES;
    expect(declaredOversize({ "content-length": String(limit) })).toBeUndefined();
    expect(declaredOversize({ "content-length": String(limit + 1) })).toMatchObject({ code: "payload-too-large", details: { limit, size: limit + 1 } });
    expect(declaredOversize({ "content-length": "2000" }, 1000)).toBeUndefined();
    expect(declaredOversize({ "content-length": String(1000 + ENVELOPE_ALLOWANCE_BYTES + 1) }, 1000)).toBeDefined();
  });
});

describe("a callable refuses a declared body over its operation's limit before the auth check", () => {
  it("answers invalid-argument to a signed-in caller without limiting, parsing or running", async () => {
    const { handler, guard, handle } = setup();
    const error = await handler(request(String(32 * 1024 * 1024), "u1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpsError);
    expect(error).toMatchObject({ code: "invalid-argument", details: { size: 32 * 1024 * 1024 } });
    expect(guard.limit).not.toHaveBeenCalled();
    expect(handle).not.toHaveBeenCalled();
    expect(guard.reportFailure).toHaveBeenCalledWith(expect.objectContaining({ kind: "validation" }));
  });

  it("answers invalid-argument, not unauthenticated, to an anonymous caller", async () => {
    const { handler, guard } = setup();
    await expect(handler(request(String(24 * 1024 * 1024)))).rejects.toMatchObject({ code: "invalid-argument" });
    expect(guard.reportFailure).not.toHaveBeenCalledWith(expect.objectContaining({ kind: "authentication" }));
  });

  it("uses the operation's own limit", async () => {
    const { handler, handle } = setup(2048);
    await expect(handler(request(String(2048 + ENVELOPE_ALLOWANCE_BYTES + 1), "u1"))).rejects.toMatchObject({ code: "invalid-argument" });
    expect(handle).not.toHaveBeenCalled();
  });

  it("runs a call whose declared body is within the limit, or that declares none", async () => {
    const { handler } = setup();
    await expect(handler(request("12", "u1"))).resolves.toBe("ran");
    await expect(handler(request(undefined, "u1"))).resolves.toBe("ran");
  });
});
