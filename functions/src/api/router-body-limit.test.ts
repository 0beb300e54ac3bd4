import type { AddressInfo } from "node:net";
import express from "express";
import type { Request } from "firebase-functions/v2/https";
import { restRoutes } from "../app/operations";
import { ENVELOPE_ALLOWANCE_BYTES } from "../lib/body-limit";
import { DEFAULT_MAX_INPUT_BYTES } from "../lib/validation";
import { createRouter, type ApiKeyPrincipal } from "./router";

/**
 * The router behind the real body parser the Functions runtime uses (express.json, 32 MiB cap,
 * rawBody kept): a declared body over the route's limit is answered 413 before the key lookup,
 * the limiter or our parse. The runtime's parse itself still happens (docs/security.md).
 */
function serve() {
  const principal: ApiKeyPrincipal = { kind: "apiKey", keyId: "k", workspaceId: "w", scopes: ["documents:write"] } as unknown as ApiKeyPrincipal;
  const authenticate = jest.fn(async () => principal);
  // A refusal, so a request that gets past the size check stops at the limiter, not in a service.
  const guard = jest.fn(async () => ({ headers: {}, rejection: { status: 429, body: { error: { code: "resource-exhausted", message: "test" } } } }));
  const reportFailure = jest.fn(async () => undefined);
  const router = createRouter({ routes: restRoutes(), services: {} as never, authenticate, guard, reportFailure });
  const app = express();
  app.use(express.json({ limit: "32mb", verify: (req, _res, buf) => void ((req as unknown as Request).rawBody = buf) }));
  app.use((req, res) => void router(req as unknown as Request, res));
  return new Promise<{ url: string; close: () => void; authenticate: jest.Mock; guard: jest.Mock; reportFailure: jest.Mock }>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close(), authenticate, guard, reportFailure });
    });
  });
}

const route = restRoutes().find((r) => r.method === "POST" && r.path === "/v1/workspaces/{workspaceId}/documents");
const limit = (route?.operation.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES) + ENVELOPE_ALLOWANCE_BYTES;

describe("the REST router refuses a declared body over the route's limit before authenticating", () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => (s = await serve()));
  afterAll(() => s.close());
  beforeEach(() => jest.clearAllMocks());

  const post = (body: string) =>
    fetch(`${s.url}/v1/workspaces/w/documents`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer rpl_x" }, body });

  it("answers 413 with the JSON error shape, and never looks up the key or asks the limiter", async () => {
    const body = JSON.stringify({ title: "T", text: "x".repeat(limit) });
    const res = await post(body);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload-too-large", message: expect.any(String), details: { size: Buffer.byteLength(body) } } });
    expect(s.authenticate).not.toHaveBeenCalled();
    expect(s.guard).not.toHaveBeenCalled();
    expect(s.reportFailure).toHaveBeenCalledWith(expect.objectContaining({ kind: "validation" }));
  });

  it("refuses the same way without any key", async () => {
    const res = await fetch(`${s.url}/v1/workspaces/w/documents`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "y".repeat(2 * limit) }) });
    expect(res.status).toBe(413);
    expect(s.authenticate).not.toHaveBeenCalled();
  });

  it("still authenticates a body within the limit", async () => {
    const res = await post(JSON.stringify({ title: "T", text: "small" }));
    expect(res.status).toBe(429);
    expect(s.authenticate).toHaveBeenCalledTimes(1);
  });
});
