import functionsTest from "firebase-functions-test";
import { HttpsError } from "firebase-functions/v2/https";
import { getFirestore } from "firebase-admin/firestore";
import { firebaseApp } from "../app/clients";
import { callableFunction } from "../app/functions";
import { workspaceOperations } from "./workspace-operations";

const fft = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
// The deployed shape: the operation as a callable, wired by the composition root.
const wrapped = fft.wrap(callableFunction(workspaceOperations.createWorkspace));
const auth = (uid: string) => ({ uid, token: { uid, email: `${uid}@example.test` } as never });

afterAll(() => fft.cleanup());

describe("createWorkspace callable (wrapped deployed function)", () => {
  it("writes the workspace and its owner membership", async () => {
    const uid = `wrap-${Date.now()}`;
    const result = (await wrapped({ data: { name: "Wrapped" }, auth: auth(uid) } as never)) as { id: string; ownerUid: string };

    expect(result.ownerUid).toBe(uid);
    const db = getFirestore(firebaseApp());
    expect((await db.doc(`workspaces/${result.id}`).get()).get("name")).toBe("Wrapped");
    expect((await db.doc(`workspaces/${result.id}/members/${uid}`).get()).get("role")).toBe("owner");
  });

  it("rejects a missing name with invalid-argument naming the field", async () => {
    const call = wrapped({ data: {}, auth: auth("someone") } as never);

    await expect(call).rejects.toBeInstanceOf(HttpsError);
    await expect(call).rejects.toMatchObject({ code: "invalid-argument", message: expect.stringMatching(/^Invalid name/) });
  });

  it("rejects a __proto__ key anywhere in the input", async () => {
    const data = JSON.parse('{"name":"x","__proto__":{"polluted":true}}');

    await expect(wrapped({ data, auth: auth("someone") } as never)).rejects.toMatchObject({ code: "invalid-argument" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects a caller without auth as unauthenticated", async () => {
    await expect(wrapped({ data: { name: "x" } } as never)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});
