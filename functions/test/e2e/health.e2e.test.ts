import { functionUrl } from "../helpers/emulators";

describe("health endpoint through the Functions emulator", () => {
  it("reports Firestore and Redis reachable", async () => {
    const res = await fetch(functionUrl("health"));
    const body = (await res.json()) as { status: string; dependencies: Record<string, { status: string }> };

    expect(res.status).toBe(200);
    expect(body.dependencies.firestore.status).toBe("ok");
    expect(body.dependencies.redis.status).toBe("ok");
    expect(body.status).toBe("ok");
  });

  it("refuses methods other than GET with 405 and a JSON error", async () => {
    const res = await fetch(functionUrl("health"), { method: "POST" });

    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ error: { code: "method-not-allowed", message: "Use GET." } });
  });
});
