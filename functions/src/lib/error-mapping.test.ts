import { logger as functionsLogger } from "firebase-functions";
import { HttpsError } from "firebase-functions/v2/https";
import { NotFoundError, PayloadTooLargeError, RateLimitedError, ValidationError } from "./errors";
import { toHttpsError, toRestError } from "./error-mapping";

describe("error mapping", () => {
  it("maps typed errors to callable codes with their details", () => {
    const error = toHttpsError(new ValidationError("Invalid name: Required", [{ path: "name", message: "Required" }]));

    expect(error).toBeInstanceOf(HttpsError);
    expect(error.code).toBe("invalid-argument");
    expect(error.details).toEqual({ issues: [{ path: "name", message: "Required" }] });
  });

  it("maps typed errors to REST status and the stable JSON body", () => {
    expect(toRestError(new NotFoundError("Prompt not found."))).toEqual({
      status: 404,
      body: { error: { code: "not-found", message: "Prompt not found." } },
    });
    expect(toRestError(new PayloadTooLargeError("too big")).status).toBe(413);
    expect(toRestError(new RateLimitedError("slow down", { retryAfter: 3 })).status).toBe(429);
  });

  it("hides unknown errors behind internal, never echoing their message, and logs them scrubbed", () => {
    const logged = jest.spyOn(functionsLogger, "error").mockImplementation(() => undefined);
    const secret = new Error("connection string postgres://user:hunter2@db");

    expect(toHttpsError(secret).code).toBe("internal");
    expect(toHttpsError(secret).message).not.toMatch(/hunter2/);
    expect(toRestError(secret)).toEqual({ status: 500, body: { error: { code: "internal", message: "Internal error." } } });
    expect(logged).toHaveBeenCalled();
    expect(JSON.stringify(logged.mock.calls)).not.toContain("hunter2");
    logged.mockRestore();
  });
});
