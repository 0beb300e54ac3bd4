import { execFileSync } from "node:child_process";
import path from "node:path";
import { minimalPdf } from "./fixtures/minimal-pdf";

/** pdf.js needs real ES module loading, so the extractor runs in a child Node process (tsx). */
function extract(data: Buffer): { text?: string; error?: string } {
  const cli = path.join(__dirname, "fixtures", "extract-pdf.cli.ts");
  const out = execFileSync(process.execPath, [require.resolve("tsx/cli"), cli], { input: data.toString("base64"), encoding: "utf8", timeout: 20_000 });
  return JSON.parse(out) as { text?: string; error?: string };
}

describe("pdfText (unpdf, offline)", () => {
  it("extracts the text of a PDF", () => {
    expect(extract(minimalPdf("Quarterly revenue grew by twelve percent"))).toEqual({ text: "Quarterly revenue grew by twelve percent" });
  });

  it("rejects bytes that are not a PDF", () => {
    expect(extract(Buffer.from("not a pdf")).error).toBeTruthy();
  });
});
