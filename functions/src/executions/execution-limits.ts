import { KNOWLEDGE_LIMITS } from "../knowledge/knowledge-limits";

/**
 * Every limit of executions, in one place; `docs/executions.md` spells the same numbers. All are
 * checked before anything is written or any provider is called.
 */
export const EXECUTION_LIMITS = {
  /** Serialised `variables`, in UTF-8 bytes. @default 64 KiB */
  variablesBytes: 64 * 1024,
  /** Variables one run may pass. @default 50 */
  variables: 50,
  /** Whole request body (variables plus everything else), in bytes. @default 80 KiB */
  requestBytes: 80 * 1024,
  /** Passages retrieved as context. @default 20 */
  maxTopK: KNOWLEDGE_LIMITS.maxTopK,
  /** @default 5 */
  defaultTopK: KNOWLEDGE_LIMITS.defaultTopK,
  /** Documents a retrieval may be restricted to: the knowledge base's filter limit. @default 30 */
  documentIds: KNOWLEDGE_LIMITS.maxDocumentIdsFilter,
  /** An explicit retrieval query; a rendered prompt used as query is cut to this. @default 2000 */
  retrievalQueryChars: KNOWLEDGE_LIMITS.maxQueryChars,
  /** Output tokens a run may ask for. @default 4096 */
  maxOutputTokens: 4096,
  /** Rendered system and user messages together, in UTF-8 bytes. @default 100 KiB */
  renderedBytes: 100 * 1024,
  /** Whole run against the provider, retries included; each attempt has its own 60 s timeout. @default 150 s */
  providerDeadlineMs: 150_000,
  /** Characters of a passage kept as the citation's snippet. @default 300 */
  snippetChars: 300,
  /** Longest model override. @default 200 */
  modelChars: 200,
  /** Largest page of `listExecutions`. @default 100 */
  pageSize: 100,
  /** @default 20 */
  defaultPageSize: 20,
} as const;
