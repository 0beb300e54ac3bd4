import { callCallable, functionUrl, signUpTestUser, type TestUser } from "../helpers/emulators";

type Hit = { documentId: string; documentTitle: string; chunkId: string; text: string; headingPath: string[]; score: number };

describe("knowledge base over HTTP through the Functions emulator", () => {
  let owner: TestUser;
  let stranger: TestUser;
  let workspaceId: string;
  let documentId: string;

  beforeAll(async () => {
    [owner, stranger] = await Promise.all([signUpTestUser("kb-owner"), signUpTestUser("kb-stranger")]);
    const created = await callCallable("createWorkspace", { name: "KB e2e" }, owner.idToken);
    workspaceId = (created.body.result as { id: string }).id;
    const text = "# Office\nThe office opens at eight.\n\n## Parking\nVisitors park in the underground garage on level minus two; ask reception for a ticket.";
    const doc = await callCallable("createDocument", { workspaceId, title: "Visitor guide", text }, owner.idToken);
    expect(doc.status).toBe(200);
    documentId = (doc.body.result as { id: string; status: string }).id;
    expect(doc.body.result).toMatchObject({ status: "ready", chunkCount: 2, source: "text" });
  });

  it("creates a document through the callable, then finds its passage with a citation", async () => {
    const { status, body } = await callCallable("searchDocuments", { workspaceId, query: "where can visitors park their car?" }, owner.idToken);

    expect(status).toBe(200);
    const results = (body.result as { results: Hit[] }).results;
    expect(results[0]).toMatchObject({ documentId, documentTitle: "Visitor guide", chunkId: `${documentId}-g1-1`, headingPath: ["Office", "Parking"] });
    expect(results[0]?.text).toContain("underground garage");
  });

  it("hides the workspace's documents from a non-member as not-found", async () => {
    const search = await callCallable("searchDocuments", { workspaceId, query: "parking" }, stranger.idToken);
    const get = await callCallable("getDocument", { workspaceId, documentId }, stranger.idToken);

    expect(search.body.error?.status).toBe("NOT_FOUND");
    expect(get.body.error?.status).toBe("NOT_FOUND");
  });

  it("refuses an oversized text with a clear error and no document", async () => {
    const { body } = await callCallable("createDocument", { workspaceId, title: "Huge", text: "word ".repeat(210_000) }, owner.idToken);
    const list = await callCallable("listDocuments", { workspaceId }, owner.idToken);

    expect(body.error?.message).toMatch(/limit is 1000000 bytes/);
    expect((list.body.result as { items: { title: string }[] }).items.map((d) => d.title)).toEqual(["Visitor guide"]);
  });

  it("searches over REST with an API key of the workspace, and refuses another workspace's", async () => {
    const key = await callCallable("createApiKey", { workspaceId, name: "kb search", scopes: ["documents:read"] }, owner.idToken);
    const secret = (key.body.result as { secret: string }).secret;
    const search = (ws: string) =>
      fetch(`${functionUrl("api")}/v1/workspaces/${ws}/search`, {
        method: "POST",
        headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
        body: JSON.stringify({ query: "garage ticket", topK: 3 }),
      });

    const own = await search(workspaceId);
    const other = await search("someone-elses-workspace");

    expect(own.status).toBe(200);
    expect(((await own.json()) as { results: Hit[] }).results[0]).toMatchObject({ documentId });
    expect(other.status).toBe(404);
  });
});
