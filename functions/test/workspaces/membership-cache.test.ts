import { createAccessControl } from "../../src/identity/access-control";
import { loadsOf, twoInstances, withinBound } from "../cache/two-instances";
import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";

describe("membership roles through the cache", () => {
  const { a, b, cleanup } = twoInstances();
  afterAll(cleanup);

  async function setup() {
    const ws = await freshWorkspace("members-cache", a);
    const other = createAccessControl({ db: ws.db, cache: b });
    const member = uniqueUid("member");
    await ws.addMember(member, "editor");
    return { ...ws, other, member: userPrincipal(member), memberUid: member };
  }

  it("reads a role once per instance, then from the cache", async () => {
    const { access, other, member, workspaceId } = await setup();
    const before = loadsOf(b, "members");
    await other.require(member, workspaceId, "prompts:write");
    await other.require(member, workspaceId, "prompts:write");
    await access.require(member, workspaceId, "prompts:write");
    expect(loadsOf(b, "members") - before).toBe(1);
  });

  it("a re-role by setMember applies at once in this instance and within the bound in another", async () => {
    const { access, other, workspaces, owner, member, memberUid, workspaceId } = await setup();
    await access.require(member, workspaceId, "prompts:write");
    await other.require(member, workspaceId, "prompts:write");

    await workspaces.setMember(owner, { workspaceId, uid: memberUid, role: "viewer" });

    await expect(access.require(member, workspaceId, "prompts:write")).rejects.toMatchObject({ code: "permission-denied" });
    await withinBound(() => expect(other.require(member, workspaceId, "prompts:write")).rejects.toMatchObject({ code: "permission-denied" }));
    await expect(other.require(member, workspaceId, "prompts:read")).resolves.toBeUndefined();
  });

  it("a member removed by removeMember loses access at once in this instance and within the bound in another", async () => {
    const { access, other, workspaces, owner, member, memberUid, workspaceId } = await setup();
    await access.require(member, workspaceId, "workspace:read");
    await other.require(member, workspaceId, "workspace:read");

    await workspaces.removeMember(owner, workspaceId, memberUid);

    await expect(access.require(member, workspaceId, "workspace:read")).rejects.toMatchObject({ code: "not-found" });
    await withinBound(() => expect(other.require(member, workspaceId, "workspace:read")).rejects.toMatchObject({ code: "not-found" }));
  });

  it("a member added after a refused lookup gets access at once (the not-found answer is dropped)", async () => {
    const { access, workspaces, owner, workspaceId } = await setup();
    const newcomer = uniqueUid("newcomer");
    await expect(access.require(userPrincipal(newcomer), workspaceId, "workspace:read")).rejects.toMatchObject({ code: "not-found" });

    await workspaces.setMember(owner, { workspaceId, uid: newcomer, role: "viewer" });

    await expect(access.require(userPrincipal(newcomer), workspaceId, "workspace:read")).resolves.toBeUndefined();
  });

  it("serves the workspace and its plan from the cache too", async () => {
    const { workspaces, owner, workspaceId } = await setup();
    const before = loadsOf(a, "workspaces");
    expect((await workspaces.get(owner, workspaceId)).plan).toBe("free");
    expect(await workspaces.planOf(workspaceId)).toBe("free");
    expect(loadsOf(a, "workspaces") - before).toBe(1);
  });
});
