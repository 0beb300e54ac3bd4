import { deflateSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { assertPdfDecodesWithin } from "../../src/knowledge/pdf-guard";
import { createPdfTextExtractor, DEFAULT_PDF_LIMITS, type PdfLimits } from "../../src/knowledge/pdf-text";
import { flateBombPdf, pdfWithPages, textOperators } from "./fixtures/pdf-builder";
import { minimalPdf } from "./fixtures/minimal-pdf";

const MiB = 1024 * 1024;
/** A 200 MiB inflation in a ~200 KiB file: pdf.js alone took 2 s and +466 MB of RSS on it. */
const BOMB = flateBombPdf(200 * MiB);

async function timed<T>(run: () => Promise<T>): Promise<{ result: T | Error; ms: number; rssGrowth: number }> {
  const rss = process.memoryUsage.rss();
  let peak = rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const result = await run().catch((error: Error) => error);
  clearInterval(sampler);
  return { result, ms: performance.now() - started, rssGrowth: Math.max(peak, process.memoryUsage.rss()) - rss };
}

const extract = (data: Buffer, limits: Partial<PdfLimits> = {}) => createPdfTextExtractor({ ...DEFAULT_PDF_LIMITS, ...limits })(new Uint8Array(data));

describe("the PDF guard (before pdf.js)", () => {
  it("measures what ordinary streams decode to", async () => {
    expect(await assertPdfDecodesWithin(minimalPdf("Hello"), MiB)).toBeGreaterThan(0);
    expect(await assertPdfDecodesWithin(flateBombPdf(1000), MiB)).toBeGreaterThanOrEqual(1000);
  });

  it("refuses a Flate bomb quickly and without holding its output", async () => {
    const { result, ms, rssGrowth } = await timed(() => assertPdfDecodesWithin(BOMB, DEFAULT_PDF_LIMITS.maxDecodedBytes));
    expect(result).toMatchObject({ failureCode: "pdf-too-complex" });
    expect(ms).toBeLessThan(5000);
    expect(rssGrowth).toBeLessThan(150 * MiB);
  });

  it("sees through abbreviated, escaped and chained filter names", async () => {
    const zeros = deflateSync(Buffer.alloc(8 * MiB));
    const hex = Buffer.from(`${zeros.toString("hex")}>`, "latin1");
    const cases = [
      pdfWithPages([{ data: zeros, dict: "/Filter /Fl" }]),
      pdfWithPages([{ data: zeros, dict: "/Filter /Fl#61teDecode" }]),
      pdfWithPages([{ data: zeros, dict: "/F /FlateDecode" }]),
      pdfWithPages([{ data: zeros, dict: "/Filter [/FlateDecode]" }]),
      pdfWithPages([{ data: hex, dict: "/Filter [/ASCIIHexDecode /FlateDecode]" }]),
      pdfWithPages([{ data: deflateSync(zeros), dict: "/Filter [/FlateDecode /FlateDecode]" }]),
    ];
    for (const pdf of cases) await expect(assertPdfDecodesWithin(pdf, 4 * MiB)).rejects.toMatchObject({ failureCode: "pdf-too-complex" });
  });

  it("counts every page's streams together", async () => {
    const page = { data: deflateSync(Buffer.alloc(MiB)), dict: "/Filter /FlateDecode" };
    await expect(assertPdfDecodesWithin(pdfWithPages(Array.from({ length: 6 }, () => page)), 4 * MiB)).rejects.toMatchObject({ failureCode: "pdf-too-complex" });
  });

  it("refuses a filter it cannot read inline (an indirect reference)", async () => {
    await expect(assertPdfDecodesWithin(pdfWithPages([{ data: textOperators("x"), dict: "/Filter 9 0 R" }]), MiB)).rejects.toMatchObject({ failureCode: "pdf-too-complex" });
  });
});

describe("PDF text extraction in a bounded worker", () => {
  it("extracts the text of an ordinary PDF, pages joined by a blank line", async () => {
    expect(await extract(minimalPdf("Quarterly revenue grew by twelve percent"))).toBe("Quarterly revenue grew by twelve percent");
    expect(await extract(pdfWithPages([{ data: textOperators("Page one") }, { data: textOperators("Page two") }]))).toBe("Page one\n\nPage two");
  });

  it("fails a 200 MiB Flate bomb as pdf-too-complex within 5 s, the process growing by < 150 MB", async () => {
    const { result, ms, rssGrowth } = await timed(() => extract(BOMB));
    expect(result).toMatchObject({ failureCode: "pdf-too-complex" });
    expect(ms).toBeLessThan(5000);
    expect(rssGrowth).toBeLessThan(150 * MiB);
  });

  it("stops the worker when memory grows past its bound, even what the guard lets through", async () => {
    const { result, ms } = await timed(() => extract(BOMB, { maxDecodedBytes: Number.MAX_SAFE_INTEGER, maxMemoryGrowthBytes: 64 * MiB }));
    expect(result).toMatchObject({ failureCode: "pdf-too-complex" });
    expect(ms).toBeLessThan(10_000);
  });

  it("stops the worker at the time limit", async () => {
    await expect(extract(minimalPdf("slow"), { timeoutMs: 1 })).rejects.toMatchObject({ failureCode: "timeout" });
  });

  it("refuses more pages than the limit, and more text than the limit", async () => {
    const pages = pdfWithPages([{ data: textOperators("one") }, { data: textOperators("two") }, { data: textOperators("three") }]);
    await expect(extract(pages, { maxPages: 2 })).rejects.toMatchObject({ failureCode: "pdf-too-complex" });
    await expect(extract(pages, { maxTextBytes: 8 })).rejects.toMatchObject({ failureCode: "too-large" });
  });

  it("reports a worker that runs out of heap, and bytes that are not a PDF, as failures", async () => {
    await expect(extract(Buffer.from("not a pdf"))).rejects.toMatchObject({ failureCode: "unreadable" });
    await expect(extract(minimalPdf("tiny heap"), { heapMb: 1 })).rejects.toMatchObject({ failureCode: expect.stringMatching(/pdf-too-complex|unreadable/) });
  });
});
