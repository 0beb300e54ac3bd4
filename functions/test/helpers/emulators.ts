import { randomUUID } from "node:crypto";

/** Addresses of the local stack, as `npm test` exports them. */
export function stackEnv() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`, which starts the local stack.`);
    return value;
  };
  return {
    projectId: need("GCLOUD_PROJECT"),
    authHost: need("FIREBASE_AUTH_EMULATOR_HOST"),
    functionsOrigin: need("FUNCTIONS_EMULATOR_ORIGIN"),
    firestoreHost: need("FIRESTORE_EMULATOR_HOST"),
  };
}

export type TestUser = { uid: string; email: string; idToken: string };

/** Creates a fresh user in the Auth emulator and returns a real ID token for it. */
export async function signUpTestUser(prefix = "user"): Promise<TestUser> {
  const { authHost } = stackEnv();
  const email = `${prefix}-${randomUUID()}@example.test`;
  const res = await fetch(`http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: "test-password-1", returnSecureToken: true }),
  });
  if (!res.ok) throw new Error(`Auth emulator signUp failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { localId: string; idToken: string };
  return { uid: body.localId, email, idToken: body.idToken };
}

export function functionUrl(name: string, region = "us-central1"): string {
  const { functionsOrigin, projectId } = stackEnv();
  return `${functionsOrigin}/${projectId}/${region}/${name}`;
}

export type CallableHttpResult = { status: number; body: { result?: unknown; error?: { status: string; message: string; details?: unknown } } };

/** Calls an HTTPS callable over the callable protocol, exactly as the web and mobile SDKs do. */
export async function callCallable(name: string, data: unknown, idToken?: string): Promise<CallableHttpResult> {
  const res = await fetch(functionUrl(name), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(idToken ? { Authorization: `Bearer ${idToken}` } : {}) },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, body: (await res.json()) as CallableHttpResult["body"] };
}
