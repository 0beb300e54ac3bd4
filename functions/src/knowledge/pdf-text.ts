import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DocumentRejectedError, type DocumentFailureCode } from "./document-failures";
import type { PdfTextExtractor } from "./document-files";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import { assertPdfDecodesWithin } from "./pdf-guard";

/** Bounds on one PDF extraction. Defaults in `KNOWLEDGE_LIMITS` (see docs/knowledge-base.md). */
export type PdfLimits = {
  /** Total bytes the non-image streams may decode to (checked before parsing). */
  maxDecodedBytes: number;
  maxPages: number;
  /** UTF-8 bytes of extracted text; the worker stops there, so the caller never holds more. */
  maxTextBytes: number;
  /** The worker is terminated after this long. */
  timeoutMs: number;
  /** V8 heap of the worker (pdf.js objects). */
  heapMb: number;
  /** Process memory the extraction may add (ArrayBuffers escape the heap limit); checked every 25 ms. */
  maxMemoryGrowthBytes: number;
};

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxDecodedBytes: KNOWLEDGE_LIMITS.maxPdfDecodedBytes,
  maxPages: KNOWLEDGE_LIMITS.maxPdfPages,
  maxTextBytes: KNOWLEDGE_LIMITS.maxTextBytes,
  timeoutMs: KNOWLEDGE_LIMITS.pdfTimeoutMs,
  heapMb: KNOWLEDGE_LIMITS.pdfHeapMb,
  maxMemoryGrowthBytes: KNOWLEDGE_LIMITS.pdfMemoryGrowthBytes,
};

type WorkerAnswer = { kind: "text"; text: string } | { kind: "rejected"; code: "pages" | "text" } | { kind: "error"; message: string };

/**
 * Runs in the worker, as plain JavaScript: pdf.js is an ES module loaded with `import()`, which
 * neither ts-jest nor a `.ts` worker file could load, and an inline worker needs no file path
 * that differs between the compiled functions and the tests. Pages are read one at a time (unpdf
 * reads them all at once) and joined exactly as before: each page's items, trimmed, blank pages
 * dropped, pages separated by a blank line.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { getDocumentProxy } = await import(workerData.unpdfUrl);
  const doc = await getDocumentProxy(workerData.data, { verbosity: 0 });
  if (doc.numPages > workerData.maxPages) return parentPort.postMessage({ kind: "rejected", code: "pages" });
  const pages = [];
  let bytes = 0;
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    page.cleanup();
    const text = content.items.filter((item) => item.str != null).map((item) => item.str + (item.hasEOL ? "\\n" : "")).join("").trim();
    if (!text) continue;
    bytes += Buffer.byteLength(text, "utf8") + (pages.length > 0 ? 2 : 0);
    if (bytes > workerData.maxTextBytes) return parentPort.postMessage({ kind: "rejected", code: "text" });
    pages.push(text);
  }
  parentPort.postMessage({ kind: "text", text: pages.join("\\n\\n") });
})().catch((error) => parentPort.postMessage({ kind: "error", message: String((error && error.message) || error) }));
`;

const reject = (code: DocumentFailureCode, message: string) => new DocumentRejectedError(code, message);

/**
 * A PDF text extractor with bounds on everything a hostile PDF can inflate: decoded stream bytes
 * (checked statically first), pages, text, time, heap and process memory. pdf.js runs in a worker
 * thread that is terminated at any bound; every outcome is a `DocumentRejectedError` with a
 * failure code, or the text.
 */
export function createPdfTextExtractor(limits: PdfLimits = DEFAULT_PDF_LIMITS): PdfTextExtractor {
  const unpdfUrl = pathToFileURL(require.resolve("unpdf")).href;
  return async (data) => {
    await assertPdfDecodesWithin(data, limits.maxDecodedBytes);
    const answer = await new Promise<WorkerAnswer | DocumentRejectedError>((resolve) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { data, unpdfUrl, maxPages: limits.maxPages, maxTextBytes: limits.maxTextBytes },
        resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      });
      const baseline = process.memoryUsage.rss();
      let settled = false;
      const finish = (result: WorkerAnswer | DocumentRejectedError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watchdog);
        void worker.terminate();
        resolve(result);
      };
      const timer = setTimeout(() => finish(reject("timeout", `The PDF took longer than ${Math.round(limits.timeoutMs / 1000)} s to read.`)), limits.timeoutMs);
      const watchdog = setInterval(() => {
        if (process.memoryUsage.rss() - baseline > limits.maxMemoryGrowthBytes) finish(reject("pdf-too-complex", "The PDF is too complex to read: it needs too much memory."));
      }, 25);
      worker.on("message", (message: WorkerAnswer) => finish(message));
      // ERR_WORKER_OUT_OF_MEMORY when the heap limit is hit; any other death of the worker too.
      worker.on("error", (error: Error & { code?: string }) =>
        finish(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? reject("pdf-too-complex", "The PDF is too complex to read: it needs too much memory.") : { kind: "error", message: error.message }),
      );
      worker.on("exit", () => finish({ kind: "error", message: "The PDF worker stopped without an answer." }));
    });
    if (answer instanceof DocumentRejectedError) throw answer;
    if (answer.kind === "text") return answer.text;
    if (answer.kind === "rejected" && answer.code === "pages") throw reject("pdf-too-complex", `The PDF has more than ${limits.maxPages} pages.`);
    if (answer.kind === "rejected") throw reject("too-large", `The text of the PDF is larger than ${limits.maxTextBytes} bytes.`);
    throw reject("unreadable", "The PDF could not be read; it may be encrypted or damaged.");
  };
}

/** Text of a PDF, pages joined by blank lines, via unpdf (pdf.js, offline, no native code). */
export const pdfText: PdfTextExtractor = createPdfTextExtractor();
