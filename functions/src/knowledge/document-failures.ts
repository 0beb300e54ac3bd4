import { AppError, isAppError, PayloadTooLargeError } from "../lib/errors";

/**
 * Why an ingest ended `failed`, stored on the document as `failure.code` beside a message safe to
 * show. Clients branch on the code; the message may change.
 * - `too-large`: the file or its text is over a limit (the file is deleted when refused by size);
 * - `pdf-too-complex`: the PDF decodes to too much data, has too many pages, or its parser ran
 *   out of memory;
 * - `timeout`: the PDF parser ran past its time limit;
 * - `unreadable`: not UTF-8, a damaged or encrypted PDF, a file type this deployment cannot read;
 * - `no-text`: nothing to index (e.g. a scanned PDF without a text layer);
 * - `internal`: anything else (an embedding or storage outage); reingest to try again;
 * - `interrupted`: the ingest stopped without an outcome (its instance ended mid-way) and the
 *   stalled-ingest sweeper closed it; reingest to try again;
 * - `upload-missing`: no file arrived before the upload URL expired; upload again.
 */
export const DOCUMENT_FAILURE_CODES = ["too-large", "pdf-too-complex", "timeout", "unreadable", "no-text", "internal", "interrupted", "upload-missing"] as const;
export type DocumentFailureCode = (typeof DOCUMENT_FAILURE_CODES)[number];
export type DocumentFailure = { code: DocumentFailureCode; message: string };

/** A file refused for a reason worth a specific failure code. */
export class DocumentRejectedError extends AppError {
  readonly code;
  readonly failureCode: DocumentFailureCode;

  constructor(failureCode: DocumentFailureCode, message: string) {
    super(message);
    this.failureCode = failureCode;
    this.code = failureCode === "too-large" ? ("payload-too-large" as const) : ("invalid-argument" as const);
  }
}

export const GENERIC_FAILURE = "Ingestion failed. Reingest the document to try again.";

/**
 * The failure to record for an error. Our own errors say what is wrong with the file; anything
 * else (an outage) gets `fallback`, with details only in logs.
 */
export function failureOf(error: unknown, fallback: string = GENERIC_FAILURE): DocumentFailure {
  if (error instanceof DocumentRejectedError) return { code: error.failureCode, message: error.message };
  if (!isAppError(error)) return { code: "internal", message: fallback };
  if (error instanceof PayloadTooLargeError) return { code: "too-large", message: error.message };
  if (error.code === "invalid-argument" || error.code === "failed-precondition") return { code: "unreadable", message: error.message };
  return { code: "internal", message: error.message };
}
