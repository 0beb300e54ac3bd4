/**
 * Limits of the knowledge base, enforced before anything is written. Documented in
 * docs/knowledge-base.md; change both together.
 */
export const KNOWLEDGE_LIMITS = {
  /** UTF-8 bytes of a document's text (pasted, or extracted from a file). */
  maxTextBytes: 1_000_000,
  /** Bytes of an uploaded file. */
  maxFileBytes: 10 * 1024 * 1024,
  maxChunksPerDocument: 500,
  minChunkSize: 200,
  maxChunkSize: 4000,
  maxTitleChars: 200,
  maxFilenameChars: 200,
  maxDocumentsPerWorkspace: 1000,
  maxQueryChars: 2000,
  /** @default 5 */
  defaultTopK: 5,
  maxTopK: 20,
  /** Ids in a retrieval's `documentIds` filter (Firestore's `in` takes at most 30). */
  maxDocumentIdsFilter: 30,
  /** Texts sent to `provider.embed` per call. */
  embedBatchSize: 64,
  /** Chunks per Firestore batch write (each carries up to 4000 chars and a 256-d vector). */
  writeBatchSize: 100,
  /** Characters of source text stored per part document (at most 4 bytes each, under 1 MiB). */
  sourcePartChars: 200_000,
  /** Distinct terms kept on a chunk for lexical candidate lookup. */
  maxTermsPerChunk: 300,
  /** A Markdown line longer than this is never a heading (its title would ride on every chunk). */
  maxHeadingLineChars: 500,
  /** Bytes the streams of a PDF may decode to, images aside (checked before pdf.js parses it). */
  maxPdfDecodedBytes: 48 * 1024 * 1024,
  maxPdfPages: 2000,
  /** A PDF's parser is stopped after this long (the upload trigger's timeout is 300 s). */
  pdfTimeoutMs: 60_000,
  /** V8 heap of the PDF worker thread, in MB. */
  pdfHeapMb: 256,
  /** Process memory a PDF extraction may add before its worker is stopped (the trigger has 512 MiB). */
  pdfMemoryGrowthBytes: 200 * 1024 * 1024,
  /** Signed upload URLs stay valid this long. */
  uploadUrlTtlMs: 15 * 60 * 1000,
} as const;
