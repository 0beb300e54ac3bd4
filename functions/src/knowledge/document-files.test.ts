import { extractText, parseUploadPath, uploadPath } from "./document-files";

describe("upload paths", () => {
  it("round-trip workspace, document and file name", () => {
    const path = uploadPath("ws1", "doc_2", "notes.md");
    expect(path).toBe("workspaces/ws1/documents/doc_2/notes.md");
    expect(parseUploadPath(path)).toEqual({ workspaceId: "ws1", documentId: "doc_2", filename: "notes.md" });
  });

  it("do not match other objects or nested folders", () => {
    expect(parseUploadPath("avatars/u1.png")).toBeNull();
    expect(parseUploadPath("workspaces/ws1/documents/doc/sub/notes.md")).toBeNull();
    expect(parseUploadPath("workspaces/../documents/doc/notes.md")).toBeNull();
  });
});

describe("extractText", () => {
  it("decodes UTF-8 and drops a byte-order mark", async () => {
    expect(await extractText(Buffer.from("\uFEFFCafé ☕"), "text/plain")).toBe("Café ☕");
  });

  it("refuses invalid UTF-8, oversized text and PDFs without an extractor, with safe messages", async () => {
    await expect(extractText(Buffer.from([0xc3, 0x28]), "text/plain")).rejects.toThrow("The file is not valid UTF-8 text.");
    await expect(extractText(Buffer.alloc(1_000_001, 0x61), "text/markdown")).rejects.toMatchObject({ code: "payload-too-large" });
    await expect(extractText(Buffer.from("%PDF"), "application/pdf")).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("reports an unreadable PDF without the extractor's own message", async () => {
    const failing = async () => Promise.reject(new Error("internal parser detail"));
    await expect(extractText(Buffer.from("%PDF"), "application/pdf", failing)).rejects.toThrow("The PDF could not be read; it may be encrypted or damaged.");
  });
});
