/**
 * Retrieval quality on a small labelled set (bench/data/retrieval-corpus.json): recall@5 and MRR
 * at document level for vector-only, lexical-only (BM25) and the hybrid rankings, using the
 * real chunker and the local provider's embeddings.
 *
 *   npx tsx bench/retrieval.ts            # in-process scoring
 *   FIRESTORE_EMULATOR_HOST=127.0.0.1:8092 GCLOUD_PROJECT=demo-rag-prompt-library npx tsx bench/retrieval.ts
 *                                         # also ingests through the service and ranks with findNearest
 *   npx tsx bench/retrieval.ts --scale 10000  # also the same queries over 10,000 chunks (bench/retrieval-scale.ts)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { chunkMarkdown, contextualText, DEFAULT_CHUNKING } from "../functions/src/knowledge/chunker";
import type { FusionMethod } from "../functions/src/knowledge/fusion";
import { bm25Scores, distinctTerms } from "../functions/src/knowledge/lexical";
import { LEXICAL_CANDIDATES, rankChunks, VECTOR_CANDIDATES, type RankableChunk } from "../functions/src/knowledge/retrieval";
import { cosineSimilarity } from "../functions/src/providers/local-embedding";
import { createLocalProvider } from "../functions/src/providers/local-provider";
import { retrievalAtScale } from "./retrieval-scale";
import { staticKeyRing } from "../functions/src/lib/secrets";
import { createFieldCipher } from "../functions/src/secrets/field-cipher";
import { createFieldSealer } from "../functions/src/secrets/sealed-fields";

type Corpus = {
  documents: { id: string; title: string; text: string }[];
  queries: { query: string; relevant: string[] }[];
};

const K = 5;
const corpus = JSON.parse(readFileSync(path.join(__dirname, "data", "retrieval-corpus.json"), "utf8")) as Corpus;
const provider = createLocalProvider();

type Metrics = { recall: number; mrr: number };

/** Recall@K and reciprocal rank of one ranked list of document ids (duplicates collapse). */
function score(rankedDocumentIds: string[], relevant: string[]): Metrics {
  const documents = [...new Set(rankedDocumentIds)];
  const top = new Set(documents.slice(0, K));
  const recall = relevant.filter((id) => top.has(id)).length / relevant.length;
  const first = documents.findIndex((id) => relevant.includes(id));
  return { recall, mrr: first < 0 ? 0 : 1 / (first + 1) };
}

function mean(values: Metrics[]): Metrics {
  const n = values.length || 1;
  return { recall: values.reduce((s, v) => s + v.recall, 0) / n, mrr: values.reduce((s, v) => s + v.mrr, 0) / n };
}

async function inProcess(): Promise<Record<string, Metrics>> {
  const chunks: RankableChunk[] = [];
  for (const doc of corpus.documents) {
    for (const chunk of chunkMarkdown(doc.text, DEFAULT_CHUNKING)) {
      chunks.push({ id: `${doc.id}-${chunk.index}`, documentId: doc.id, index: chunk.index, text: chunk.text, headingPath: chunk.headingPath, embedding: [] });
    }
  }
  const vectors = (await provider.embed({ texts: chunks.map(contextualText) })).vectors;
  chunks.forEach((chunk, i) => (chunk.embedding = vectors[i] ?? []));
  const chunkTerms = new Map(chunks.map((c) => [c.id, new Set(distinctTerms(contextualText(c)))]));
  const titles = new Map(corpus.documents.map((d) => [d.id, d.title]));

  const results: Record<string, Metrics[]> = { "vector only": [], "lexical only (BM25)": [], "hybrid (RRF, default)": [], "hybrid (blend)": [] };
  for (const { query, relevant } of corpus.queries) {
    const [queryVector = []] = (await provider.embed({ texts: [query] })).vectors;
    // The same candidate generation as the service: nearest neighbours, plus chunks sharing a term.
    const byVector = [...chunks].sort((a, b) => cosineSimilarity(queryVector, b.embedding) - cosineSimilarity(queryVector, a.embedding));
    const terms = distinctTerms(query, 30);
    const byTerms = chunks.filter((c) => terms.some((t) => chunkTerms.get(c.id)?.has(t))).slice(0, LEXICAL_CANDIDATES);
    const candidates = [...new Map([...byVector.slice(0, VECTOR_CANDIDATES), ...byTerms].map((c) => [c.id, c])).values()];

    results["vector only"]?.push(score(byVector.map((c) => c.documentId), relevant));
    const bm25 = bm25Scores(query, byTerms.map(contextualText));
    const lexical = byTerms.map((c, i) => ({ c, s: bm25[i] ?? 0 })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
    results["lexical only (BM25)"]?.push(score(lexical.map((x) => x.c.documentId), relevant));
    for (const [label, method] of [["hybrid (RRF, default)", "rrf"], ["hybrid (blend)", "blend"]] as [string, FusionMethod][]) {
      const hits = rankChunks(query, queryVector, candidates, { topK: 20, titles, method });
      results[label]?.push(score(hits.map((h) => h.documentId), relevant));
    }
  }
  return Object.fromEntries(Object.entries(results).map(([label, values]) => [label, mean(values)]));
}

/** Ingests the corpus through the knowledge service and ranks with Firestore findNearest. */
async function throughFirestore(): Promise<Record<string, Metrics>> {
  const { firestore } = await import("../functions/src/app/clients");
  const { createAccessControl } = await import("../functions/src/identity/access-control");
  const { createKnowledgeService } = await import("../functions/src/knowledge/knowledge-service");
  const { createRetriever } = await import("../functions/src/knowledge/retrieval");
  const { createWorkspaceService } = await import("../functions/src/workspaces/workspace-service");
  const { systemClock } = await import("../functions/src/lib/clock");
  const { passThroughCache } = await import("../functions/src/lib/cache");
  const db = firestore();
  // The bench measures ranking, not caching: reads go straight to Firestore.
  const cache = passThroughCache;
  const access = createAccessControl({ db, cache });
  const owner = `bench-${Date.now()}`;
  const workspace = await createWorkspaceService({ db, clock: systemClock, access, cache }).create(owner, { name: "Retrieval bench" });
  const knowledge = createKnowledgeService({ db, clock: systemClock, access, provider, bucket: () => { throw new Error("no files in the bench"); }, signUploads: false, fields: createFieldSealer(createFieldCipher({ keys: staticKeyRing("bench-field-encryption-key", "field-encryption-kek") })) });
  const idOf = new Map<string, string>();
  for (const doc of corpus.documents) {
    const created = await knowledge.createDocument({ kind: "user", uid: owner }, workspace.id, { title: doc.title, text: doc.text });
    idOf.set(created.id, doc.id);
  }
  const retriever = createRetriever({ db, provider });
  const results: Record<string, Metrics[]> = { "hybrid (RRF) via findNearest": [], "hybrid (blend) via findNearest": [] };
  for (const { query, relevant } of corpus.queries) {
    for (const [label, method] of [["hybrid (RRF) via findNearest", "rrf"], ["hybrid (blend) via findNearest", "blend"]] as [string, FusionMethod][]) {
      const hits = await retriever.retrieve(workspace.id, { query, topK: 20, method });
      results[label]?.push(score(hits.map((h) => idOf.get(h.documentId) ?? h.documentId), relevant));
    }
  }
  console.log(`(Firestore workspace ${workspace.id})`);
  return Object.fromEntries(Object.entries(results).map(([label, values]) => [label, mean(values)]));
}

function print(title: string, rows: Record<string, Metrics>) {
  console.log(`\n${title}`);
  console.log(`${"ranking".padEnd(34)} recall@${K}   MRR`);
  for (const [label, m] of Object.entries(rows)) console.log(`${label.padEnd(34)} ${m.recall.toFixed(3).padStart(8)}  ${m.mrr.toFixed(3)}`);
}

async function main() {
  console.log(`${corpus.documents.length} documents, ${corpus.queries.length} queries; local embeddings (${provider.embeddingModel}), chunk size ${DEFAULT_CHUNKING.size}/${DEFAULT_CHUNKING.overlap}.`);
  print("In-process scoring", await inProcess());
  if (process.env.FIRESTORE_EMULATOR_HOST) print(`Through Firestore (${process.env.FIRESTORE_EMULATOR_HOST})`, await throughFirestore());
  const scale = process.argv.indexOf("--scale");
  if (scale >= 0) await retrievalAtScale(corpus, Number(process.argv[scale + 1] ?? 10_000));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
