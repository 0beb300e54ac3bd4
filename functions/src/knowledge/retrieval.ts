import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import type { LlmProvider } from "../providers/provider-types";
import { cosineSimilarity, LOCAL_EMBEDDING_DIMENSIONS } from "../providers/local-embedding";
import { contextualText } from "./chunker";
import { fuse, type FusionMethod } from "./fusion";
import type { RetrieveRequest, RetrievedChunk } from "./knowledge-types";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import { chunksPath, chunkWithVectorSchema, documentPath, documentTitleSchema, EMBEDDING_FIELD } from "./knowledge-records";
import { bm25Scores, distinctTerms, termBudgets } from "./lexical";

/** A retrieval hit with the heading path of its chunk, for display. */
export type SearchHit = RetrievedChunk & { headingPath: string[] };

/** A chunk as ranking sees it; `embedding` is compared with the query vector. */
export type RankableChunk = {
  id: string;
  documentId: string;
  index: number;
  text: string;
  headingPath: string[];
  embedding: number[];
};

/** Chunks fetched by nearest-neighbour search, and by term lookup, before fusion. */
export const VECTOR_CANDIDATES = 100;
export const LEXICAL_CANDIDATES = 200;
/** Query terms sent to `array-contains-any`, which takes at most 30. */
const MAX_QUERY_TERMS = 30;

/**
 * Ranks candidate chunks for a query: cosine similarity with the query vector, BM25 over the
 * candidates' text (heading path included), combined by `fuse` (reciprocal rank fusion by
 * default). Pure; shared by the service and bench/retrieval.ts.
 */
export function rankChunks(
  query: string,
  queryVector: number[],
  candidates: RankableChunk[],
  options: { topK: number; titles: ReadonlyMap<string, string>; method?: FusionMethod },
): SearchHit[] {
  const bm25 = bm25Scores(query, candidates.map(contextualText));
  const fused = fuse(
    candidates.map((chunk, i) => ({ item: chunk, key: chunk.id, vectorScore: cosineSimilarity(queryVector, chunk.embedding), bm25: bm25[i] ?? 0 })),
    options.method,
  );
  return fused.slice(0, options.topK).map(({ item, score, vectorScore, lexicalScore }) => ({
    documentId: item.documentId,
    documentTitle: options.titles.get(item.documentId) ?? "",
    chunkId: item.id,
    chunkIndex: item.index,
    text: item.text,
    headingPath: item.headingPath,
    score,
    vectorScore,
    lexicalScore,
  }));
}

/** Candidate queries over a workspace's chunks (vector indexes are declared for 256 dimensions: both providers embed at 256). */
export const RETRIEVAL_QUERIES = {
  nearest: queryShape({ name: "knowledge.nearestChunks", collectionGroup: "chunks", optionalEquality: ["documentId"], vector: { field: EMBEDDING_FIELD, dimension: LOCAL_EMBEDDING_DIMENSIONS } }),
  terms: queryShape({ name: "knowledge.chunksWithTerms", collectionGroup: "chunks", arrayContains: "terms" }),
  /** Per-term count and postings, when a workspace has more term matches than one query returns. */
  termCount: queryShape({ name: "knowledge.countChunksWithTerm", collectionGroup: "chunks", arrayContains: "terms" }),
  termPostings: queryShape({ name: "knowledge.chunksWithTerm", collectionGroup: "chunks", arrayContains: "terms" }),
  termsInDocument: queryShape({ name: "knowledge.chunksWithTermsInDocument", collectionGroup: "chunks", equality: ["documentId"], arrayContains: "terms" }),
};

export type RetrieverDeps = {
  db: Pick<Firestore, "collection" | "doc" | "getAll">;
  provider: Pick<LlmProvider, "embed">;
};

/**
 * Hybrid retrieval over one workspace's chunks. Candidates come from Firestore `findNearest`
 * (COSINE, optionally prefiltered on `documentId in [...]`) and from `terms array-contains-any`;
 * each is kept only when it belongs to its document's active generation; `rankChunks` orders
 * them. No access check here: the service checks before calling.
 */
export function createRetriever({ db, provider }: RetrieverDeps) {
  const chunks = (workspaceId: string) => db.collection(chunksPath(workspaceId));

  async function vectorCandidates(workspaceId: string, queryVector: number[], documentIds?: string[]): Promise<DocumentSnapshot[]> {
    if (!queryVector.some((x) => x !== 0)) return [];
    const base = documentIds ? chunks(workspaceId).where("documentId", "in", documentIds) : chunks(workspaceId);
    const snap = await runQuery(RETRIEVAL_QUERIES.nearest, base.findNearest({ vectorField: EMBEDDING_FIELD, queryVector, limit: VECTOR_CANDIDATES, distanceMeasure: "COSINE" }));
    return snap.docs;
  }

  async function lexicalCandidates(workspaceId: string, query: string, documentIds?: string[]): Promise<DocumentSnapshot[]> {
    const terms = distinctTerms(query, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    if (!documentIds) {
      const union = await runQuery(RETRIEVAL_QUERIES.terms, chunks(workspaceId).where("terms", "array-contains-any", terms).limit(LEXICAL_CANDIDATES));
      // Under the cap the union is every match. Over it, its first matches come in chunk-id order,
      // unrelated to relevance, so each term's postings are read instead, rarest terms first: at
      // 10,000 chunks BM25 recall@5 goes from 0.72 to 0.85 (0.87 reading every match; bench/retrieval-scale.ts).
      if (union.size < LEXICAL_CANDIDATES || terms.length === 1) return union.docs;
      return postingsByRarity(workspaceId, terms);
    }
    const perDocument = Math.max(20, Math.ceil(LEXICAL_CANDIDATES / documentIds.length));
    const snaps = await Promise.all(
      documentIds.map((id) => runQuery(RETRIEVAL_QUERIES.termsInDocument, chunks(workspaceId).where("documentId", "==", id).where("terms", "array-contains-any", terms).limit(perDocument))),
    );
    return snaps.flatMap((s) => s.docs);
  }

  /** Up to `LEXICAL_CANDIDATES` chunks split across the terms by `termBudgets` (one count, then one capped query, per term). */
  async function postingsByRarity(workspaceId: string, terms: string[]): Promise<DocumentSnapshot[]> {
    const withTerm = (term: string) => chunks(workspaceId).where("terms", "array-contains", term);
    const counts = await Promise.all(terms.map((term) => runQuery(RETRIEVAL_QUERIES.termCount, withTerm(term).count())));
    const budgets = termBudgets(new Map(terms.map((term, i) => [term, counts[i]?.data().count ?? 0])), LEXICAL_CANDIDATES);
    const snaps = await Promise.all([...budgets].filter(([, limit]) => limit > 0).map(([term, limit]) => runQuery(RETRIEVAL_QUERIES.termPostings, withTerm(term).limit(limit))));
    const unique = new Map<string, DocumentSnapshot>();
    for (const doc of snaps.flatMap((s) => s.docs)) unique.set(doc.id, doc);
    return [...unique.values()];
  }

  /** Active generation and title of each document, read once per retrieval. */
  async function activeDocuments(workspaceId: string, documentIds: string[]): Promise<Map<string, { generation: number; title: string }>> {
    if (documentIds.length === 0) return new Map();
    const snaps = await db.getAll(...documentIds.map((id) => db.doc(documentPath(workspaceId, id))), { fieldMask: ["title", "activeGeneration"] });
    const active = new Map<string, { generation: number; title: string }>();
    for (const snap of snaps) {
      const doc = readRecord(snap, documentTitleSchema, { kind: "document" });
      if (doc && doc.activeGeneration > 0) active.set(snap.id, { generation: doc.activeGeneration, title: doc.title });
    }
    return active;
  }

  return {
    async retrieve(workspaceId: string, request: RetrieveRequest & { method?: FusionMethod }): Promise<SearchHit[]> {
      const topK = request.topK ?? KNOWLEDGE_LIMITS.defaultTopK;
      const documentIds = request.documentIds ? [...new Set(request.documentIds)] : undefined;
      if (documentIds?.length === 0) return [];
      const [queryVector = []] = (await provider.embed({ texts: [request.query] })).vectors;
      const [byVector, byTerms] = await Promise.all([
        vectorCandidates(workspaceId, queryVector, documentIds),
        lexicalCandidates(workspaceId, request.query, documentIds),
      ]);

      const unique = new Map<string, DocumentSnapshot>();
      for (const snap of [...byVector, ...byTerms]) unique.set(snap.id, snap);
      const chunks = [...unique.values()].map((snap) => ({ id: snap.id, chunk: requireRecord(snap, chunkWithVectorSchema, { kind: "chunk" }) }));
      const active = await activeDocuments(workspaceId, [...new Set(chunks.map(({ chunk }) => chunk.documentId))]);
      const allowed = documentIds ? new Set(documentIds) : null;

      const candidates: RankableChunk[] = [];
      for (const { id, chunk } of chunks) {
        if (allowed && !allowed.has(chunk.documentId)) continue;
        if (active.get(chunk.documentId)?.generation !== chunk.generation) continue;
        candidates.push({ id, documentId: chunk.documentId, index: chunk.index, text: chunk.text, headingPath: chunk.headingPath, embedding: chunk[EMBEDDING_FIELD].toArray() });
      }
      const titles = new Map([...active].map(([id, d]) => [id, d.title]));
      return rankChunks(request.query, queryVector, candidates, { topK, titles, method: request.method });
    },
  };
}

export type Retriever = ReturnType<typeof createRetriever>;
