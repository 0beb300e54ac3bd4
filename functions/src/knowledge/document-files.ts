import type { GetSignedUrlConfig } from "@google-cloud/storage";
import { PayloadTooLargeError, ValidationError } from "../lib/errors";
import { DocumentRejectedError } from "./document-failures";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import type { DocumentContentType } from "./document-schemas";

/**
 * The part of a Cloud Storage file the knowledge base uses. A real `Bucket` satisfies
 * `DocumentBucket` (checked in app/services.ts); tests hand in a small in-memory fake.
 */
export type DocumentFile = {
  /** Read before `download`, so an oversized object is refused without being loaded. */
  getMetadata(): Promise<[{ size?: string | number }, ...unknown[]]>;
  download(): Promise<[Buffer]>;
  delete(options?: { ignoreNotFound?: boolean }): Promise<unknown>;
  getSignedUrl(config: GetSignedUrlConfig): Promise<[string]>;
};
export type DocumentBucket = { file(path: string): DocumentFile };

const UPLOAD_PATH = /^workspaces\/([A-Za-z0-9_-]{1,128})\/documents\/([A-Za-z0-9_-]{1,128})\/([^/]+)$/;

/** Where a document's file lives: `workspaces/{workspaceId}/documents/{documentId}/{filename}`. */
export function uploadPath(workspaceId: string, documentId: string, filename: string): string {
  return `workspaces/${workspaceId}/documents/${documentId}/${filename}`;
}

export function parseUploadPath(name: string): { workspaceId: string; documentId: string; filename: string } | null {
  const match = UPLOAD_PATH.exec(name);
  return match?.[1] && match[2] && match[3] ? { workspaceId: match[1], documentId: match[2], filename: match[3] } : null;
}

export type PdfTextExtractor = (data: Uint8Array) => Promise<string>;

/**
 * The text of an uploaded file. Text and Markdown must be UTF-8 (a BOM is dropped); PDF needs
 * an extractor. Throws a typed error whose message is safe to show on the document.
 */
export async function extractText(data: Buffer, contentType: DocumentContentType, pdf?: PdfTextExtractor): Promise<string> {
  assertFileSize(data.length);
  let text: string;
  if (contentType === "application/pdf") {
    if (!pdf) throw new ValidationError("PDF files are not supported by this deployment.");
    text = await pdf(new Uint8Array(data)).catch((error: unknown) => {
      if (error instanceof DocumentRejectedError) throw error;
      throw new ValidationError("The PDF could not be read; it may be encrypted or damaged.");
    });
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      throw new ValidationError("The file is not valid UTF-8 text.");
    }
  }
  text = text.replace(/^\uFEFF/, "");
  assertTextSize(text);
  return text;
}

/** A stored object over `maxFileBytes`: refused before download, and deleted. */
export class FileTooLargeError extends DocumentRejectedError {
  constructor() {
    super("too-large", `The file is larger than ${KNOWLEDGE_LIMITS.maxFileBytes} bytes.`);
  }
}

/** Refuses a file over `maxFileBytes`; callers check the object's metadata with it before downloading. */
export function assertFileSize(bytes: number): void {
  if (bytes > KNOWLEDGE_LIMITS.maxFileBytes) throw new FileTooLargeError();
}

/** The `x-goog-content-length-range` a signed upload URL carries: Cloud Storage refuses larger bodies. */
export const UPLOAD_LENGTH_RANGE = `0,${KNOWLEDGE_LIMITS.maxFileBytes}`;

export function assertTextSize(text: string): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > KNOWLEDGE_LIMITS.maxTextBytes) {
    throw new PayloadTooLargeError(`The text is ${bytes} bytes; the limit is ${KNOWLEDGE_LIMITS.maxTextBytes} bytes.`, { limit: KNOWLEDGE_LIMITS.maxTextBytes, size: bytes });
  }
}
