/** Public shapes of the knowledge base that other domains (executions) depend on. */
export type RetrieveRequest = {
  query: string;
  /** Restrict to these documents; all ready documents of the workspace when omitted. */
  documentIds?: string[];
  /** @default 5 */
  topK?: number;
};

/** One cited passage: where it comes from and why it ranked. */
export type RetrievedChunk = {
  documentId: string;
  documentTitle: string;
  chunkId: string;
  chunkIndex: number;
  text: string;
  /** Combined rank score in [0, 1], higher is better. */
  score: number;
  vectorScore: number;
  lexicalScore: number;
};
