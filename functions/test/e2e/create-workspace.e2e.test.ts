import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { callCallable, signUpTestUser, stackEnv, type TestUser } from "../helpers/emulators";

describe("createWorkspace over HTTP through the Functions emulator", () => {
  let user: TestUser;
  const db = () => getFirestore(getApps()[0] ?? initializeApp({ projectId: stackEnv().projectId }));

  beforeAll(async () => {
    user = await signUpTestUser("e2e");
  });

  it("creates the workspace and the owner's membership for a signed-in user", async () => {
    const { status, body } = await callCallable("createWorkspace", { name: "E2E workspace", description: "made over HTTP" }, user.idToken);

    expect(status).toBe(200);
    const workspace = body.result as { id: string; name: string; ownerUid: string; plan: string };
    expect(workspace).toMatchObject({ name: "E2E workspace", ownerUid: user.uid, plan: "free" });
    const stored = await db().doc(`workspaces/${workspace.id}`).get();
    expect(stored.data()).toMatchObject({ name: "E2E workspace", description: "made over HTTP", ownerUid: user.uid });
    const member = await db().doc(`workspaces/${workspace.id}/members/${user.uid}`).get();
    expect(member.data()).toMatchObject({ role: "owner", uid: user.uid });
  });

  it("answers invalid-argument naming the field when the name has the wrong type", async () => {
    const { status, body } = await callCallable("createWorkspace", { name: 42 }, user.idToken);

    expect(status).toBe(400);
    expect(body.error?.status).toBe("INVALID_ARGUMENT");
    expect(body.error?.message).toMatch(/name/);
  });

  it("answers invalid-argument for unknown fields and writes nothing", async () => {
    const name = `unknown-field-${Date.now()}`;
    const { body } = await callCallable("createWorkspace", { name, ownerUid: "someone-else" }, user.idToken);

    expect(body.error?.status).toBe("INVALID_ARGUMENT");
    const written = await db().collection("workspaces").where("name", "==", name).get();
    expect(written.empty).toBe(true);
  });

  it("answers unauthenticated without an ID token", async () => {
    const { status, body } = await callCallable("createWorkspace", { name: "anonymous" });

    expect(status).toBe(401);
    expect(body.error?.status).toBe("UNAUTHENTICATED");
  });
});
