import { functionUrl, signUpTestUser, stackEnv } from "../helpers/emulators";

/** An ID token carrying the `admin` custom claim, set through the Auth emulator's admin API. */
async function adminIdToken(): Promise<string> {
  const { authHost, projectId } = stackEnv();
  const user = await signUpTestUser("health-admin");
  const base = `http://${authHost}/identitytoolkit.googleapis.com/v1`;
  const update = await fetch(`${base}/projects/${projectId}/accounts:update`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer owner" },
    body: JSON.stringify({ localId: user.uid, customAttributes: JSON.stringify({ admin: true }) }),
  });
  if (!update.ok) throw new Error(`Auth emulator accounts:update failed: ${update.status} ${await update.text()}`);
  const signIn = await fetch(`${base}/accounts:signInWithPassword?key=fake-api-key`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: user.email, password: "test-password-1", returnSecureToken: true }),
  });
  if (!signIn.ok) throw new Error(`Auth emulator signIn failed: ${signIn.status} ${await signIn.text()}`);
  return ((await signIn.json()) as { idToken: string }).idToken;
}

describe("health endpoint through the Functions emulator", () => {
  it("shows anyone the status alone, with rate-limit headers", async () => {
    const res = await fetch(functionUrl("health"));

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-ratelimit-limit")).toBe("60");
  });

  it("shows an admin the dependencies; a signed-in non-admin is refused", async () => {
    const admin = await fetch(functionUrl("health"), { headers: { Authorization: `Bearer ${await adminIdToken()}` } });
    const body = (await admin.json()) as { status: string; dependencies: Record<string, { status: string }> };
    expect(admin.status).toBe(200);
    expect(body.dependencies.firestore.status).toBe("ok");
    expect(body.dependencies.redis.status).toBe("ok");

    const member = await signUpTestUser("health-member");
    expect((await fetch(functionUrl("health"), { headers: { Authorization: `Bearer ${member.idToken}` } })).status).toBe(403);
  });

  it("refuses methods other than GET with 405 and a JSON error", async () => {
    const res = await fetch(functionUrl("health"), { method: "POST" });

    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ error: { code: "method-not-allowed", message: "Use GET." } });
  });
});
