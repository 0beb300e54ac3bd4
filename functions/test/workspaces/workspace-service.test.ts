import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";

describe("workspace service on the real Firestore", () => {
  it("lets the owner add members with roles and lists them", async () => {
    const { workspaces, workspaceId, owner, addMember } = await freshWorkspace();
    const editor = uniqueUid("editor");
    await addMember(editor, "editor");

    const members = await workspaces.listMembers(owner, workspaceId);
    expect(members.map((m) => m.role).sort()).toEqual(["editor", "owner"]);
  });

  it("lists a user's workspaces across pages with their role", async () => {
    const first = await freshWorkspace("a");
    const second = await freshWorkspace("b");
    const third = await freshWorkspace("c");
    const uid = uniqueUid("multi");
    await first.addMember(uid, "viewer");
    await second.addMember(uid, "admin");
    await third.addMember(uid, "editor");

    const page1 = await first.workspaces.listForUser(uid, 2);
    const page2 = await first.workspaces.listForUser(uid, 2, page1.nextCursor ?? undefined);
    const all = [...page1.items, ...page2.items];
    expect(all).toHaveLength(3);
    expect(new Set(all.map((w) => w.id))).toEqual(new Set([first.workspaceId, second.workspaceId, third.workspaceId]));
    expect(page2.nextCursor).toBeNull();
  });

  it("hides a workspace from non-members as not-found", async () => {
    const { workspaces, workspaceId } = await freshWorkspace();

    await expect(workspaces.get(userPrincipal(uniqueUid("stranger")), workspaceId)).rejects.toMatchObject({ code: "not-found" });
  });

  it("does not let an editor manage members, nor anyone demote or remove the owner", async () => {
    const { workspaces, workspaceId, ownerUid, addMember } = await freshWorkspace();
    const editor = uniqueUid("editor");
    const admin = uniqueUid("admin");
    await addMember(editor, "editor");
    await addMember(admin, "admin");

    await expect(workspaces.setMember(userPrincipal(editor), { workspaceId, uid: uniqueUid(), role: "viewer" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(workspaces.setMember(userPrincipal(admin), { workspaceId, uid: ownerUid, role: "viewer" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(workspaces.removeMember(userPrincipal(admin), workspaceId, ownerUid)).rejects.toMatchObject({ code: "permission-denied" });
  });

  it("refuses an API key of another workspace as not-found", async () => {
    const a = await freshWorkspace("a");
    const b = await freshWorkspace("b");
    const keyOfA = { kind: "apiKey" as const, keyId: "k", workspaceId: a.workspaceId, scopes: ["prompts:read" as const], createdBy: a.ownerUid };

    await expect(b.workspaces.get(keyOfA, b.workspaceId)).rejects.toMatchObject({ code: "not-found" });
  });
});
