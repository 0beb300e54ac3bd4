/**
 * Retrieval at scale: the 30 labelled documents of bench/data/retrieval-corpus.json hidden among
 * generated chunks (deterministic: a seeded generator), so a workspace holds `size` chunks, and
 * the same 46 queries asked of the small set and of the large one in the same run.
 *
 * Each generated chunk mixes words of one labelled document's topic (so it competes with that
 * document for its queries, as other documents on the same subject would) with a long tail of
 * generated words. Lexical candidates are taken as Firestore returns them: a chunk's position is
 * a hash of its id (document ids are random), and a capped query gets the first matches in that
 * order. Rankings are computed in-process (cosine over every chunk stands in for `findNearest`);
 * latency is the in-process candidate generation plus ranking per query.
 */
import { chunkMarkdown, contextualText, DEFAULT_CHUNKING } from "../functions/src/knowledge/chunker";
import { bm25Scores, distinctTerms, termBudgets } from "../functions/src/knowledge/lexical";
import { LEXICAL_CANDIDATES, rankChunks, VECTOR_CANDIDATES, type RankableChunk } from "../functions/src/knowledge/retrieval";
import { cosineSimilarity } from "../functions/src/providers/local-embedding";
import { createLocalProvider } from "../functions/src/providers/local-provider";

export type Corpus = { documents: { id: string; title: string; text: string }[]; queries: { query: string; relevant: string[] }[] };
type Chunk = RankableChunk & { order: number; terms: Set<string> };
type Row = { label: string; recall: number; p50Ms: number; p95Ms: number; candidates: number };

const K = 5;
const provider = createLocalProvider();

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashOrder(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

const SYLLABLES = "ka lo mi ne ru sa te vo zu ba de fi go hu ja ke li mo nu pa re si to vu".split(" ");

/**
 * Share of a generated chunk's words drawn from one labelled document's vocabulary: enough that
 * the query terms of that topic match hundreds of chunks (what caps a lexical query), not so much
 * that every generated chunk is a near-duplicate of a labelled one.
 */
const TOPIC_SHARE = Number(process.env.RETRIEVAL_TOPIC_SHARE ?? 0.1);

/** Generated chunks: `TOPIC_SHARE` of their words from one labelled document's topic, the rest a Zipf-like long tail. */
function generateChunks(corpus: Corpus, count: number, random: () => number): { id: string; documentId: string; text: string }[] {
  const topics = corpus.documents.map((d) => [...new Set(d.text.toLowerCase().match(/[a-z]{3,}/g) ?? [])]);
  const tail = Array.from({ length: 3_000 }, (_, i) => `${SYLLABLES[i % 24]}${SYLLABLES[Math.floor(i / 24) % 24]}${SYLLABLES[Math.floor(i / 576) % 24]}n`);
  const pickTail = (): string => tail[Math.min(tail.length - 1, Math.floor(tail.length * random() ** 3))] ?? "";
  return Array.from({ length: count }, (_, i) => {
    const topic = topics[Math.floor(random() * topics.length)] ?? [];
    const words = Array.from({ length: 40 + Math.floor(random() * 40) }, () => (random() < TOPIC_SHARE ? (topic[Math.floor(random() * topic.length)] ?? "") : pickTail()));
    return { id: `gen-${i}`, documentId: `gen-doc-${Math.floor(i / 3)}`, text: `${words.join(" ")}.` };
  });
}

async function buildChunks(corpus: Corpus, size: number): Promise<Chunk[]> {
  const raw: { id: string; documentId: string; index: number; text: string; headingPath: string[] }[] = [];
  for (const doc of corpus.documents) {
    for (const chunk of chunkMarkdown(doc.text, DEFAULT_CHUNKING)) raw.push({ id: `${doc.id}-${chunk.index}`, documentId: doc.id, index: chunk.index, text: chunk.text, headingPath: chunk.headingPath });
  }
  for (const g of generateChunks(corpus, Math.max(0, size - raw.length), mulberry32(20_260_101))) raw.push({ ...g, index: 0, headingPath: [] });
  const vectors: number[][] = [];
  for (let i = 0; i < raw.length; i += 500) vectors.push(...(await provider.embed({ texts: raw.slice(i, i + 500).map(contextualText) })).vectors);
  return raw
    .map((c, i) => ({ ...c, embedding: vectors[i] ?? [], order: hashOrder(c.id), terms: new Set(distinctTerms(contextualText(c))) }))
    .sort((a, b) => a.order - b.order);
}

function recallAt(rankedDocumentIds: string[], relevant: string[]): number {
  const top = new Set([...new Set(rankedDocumentIds)].slice(0, K));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

type Strategy = "capped union (before)" | "per-term budget (df-aware)" | "every match (no cap)";

/** Lexical candidates as each strategy fetches them from Firestore, in index (id-hash) order. */
function lexicalCandidates(chunks: Chunk[], terms: string[], strategy: Strategy): Chunk[] {
  const matching = chunks.filter((c) => terms.some((t) => c.terms.has(t)));
  if (strategy === "every match (no cap)") return matching;
  // Both capped strategies start with the union query; below the cap it holds every match.
  if (strategy === "capped union (before)" || matching.length < LEXICAL_CANDIDATES) return matching.slice(0, LEXICAL_CANDIDATES);
  const df = new Map(terms.map((t) => [t, matching.filter((c) => c.terms.has(t)).length]));
  const picked = new Map<string, Chunk>();
  for (const [term, limit] of termBudgets(df, LEXICAL_CANDIDATES)) {
    for (const c of matching.filter((m) => m.terms.has(term)).slice(0, limit)) picked.set(c.id, c);
  }
  return [...picked.values()];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function measure(corpus: Corpus, chunks: Chunk[]): Promise<Row[]> {
  const titles = new Map(corpus.documents.map((d) => [d.id, d.title]));
  const results = new Map<string, { recall: number[]; ms: number[]; candidates: number[] }>();
  const record = (label: string, recall: number, ms: number, candidates: number): void => {
    const entry = results.get(label) ?? { recall: [], ms: [], candidates: [] };
    entry.recall.push(recall);
    entry.ms.push(ms);
    entry.candidates.push(candidates);
    results.set(label, entry);
  };
  for (const { query, relevant } of corpus.queries) {
    const [queryVector = []] = (await provider.embed({ texts: [query] })).vectors;
    let started = performance.now();
    const byVector = chunks
      .map((c) => ({ c, s: cosineSimilarity(queryVector, c.embedding) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, VECTOR_CANDIDATES)
      .map((x) => x.c);
    const vectorMs = performance.now() - started;
    record("vector only", recallAt(byVector.map((c) => c.documentId), relevant), vectorMs, byVector.length);
    const terms = distinctTerms(query, 30);
    for (const strategy of ["capped union (before)", "per-term budget (df-aware)", "every match (no cap)"] as Strategy[]) {
      started = performance.now();
      const lexical = lexicalCandidates(chunks, terms, strategy);
      const bm25 = bm25Scores(query, lexical.map(contextualText));
      const ranked = lexical.map((c, i) => ({ c, s: bm25[i] ?? 0 })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
      record(`BM25, ${strategy}`, recallAt(ranked.map((x) => x.c.documentId), relevant), performance.now() - started, lexical.length);
      started = performance.now();
      const candidates = [...new Map([...byVector, ...lexicalCandidates(chunks, terms, strategy)].map((c) => [c.id, c])).values()];
      const hits = rankChunks(query, queryVector, candidates, { topK: 20, titles });
      record(`hybrid (RRF), ${strategy}`, recallAt(hits.map((h) => h.documentId), relevant), performance.now() - started + vectorMs, candidates.length);
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  return [...results].map(([label, r]) => ({ label, recall: mean(r.recall), p50Ms: percentile(r.ms, 50), p95Ms: percentile(r.ms, 95), candidates: mean(r.candidates) }));
}

/** Prints recall@5 and latency for the small set and for `size` chunks side by side. */
export async function retrievalAtScale(corpus: Corpus, size: number): Promise<void> {
  const small = await buildChunks(corpus, 0);
  const large = await buildChunks(corpus, size);
  console.log(`\nRetrieval at scale: ${small.length} chunks (the labelled set) vs ${large.length} chunks (labelled + generated), ${corpus.queries.length} queries, recall@${K}`);
  const [a, b] = [await measure(corpus, small), await measure(corpus, large)];
  console.log(`${"ranking".padEnd(44)} ${"recall small".padStart(12)} ${`recall ${large.length}`.padStart(13)} ${"delta".padStart(7)} ${"candidates".padStart(10)} ${"p50 ms".padStart(7)} ${"p95 ms".padStart(7)}`);
  for (const row of b) {
    const base = a.find((r) => r.label === row.label);
    const delta = base ? (row.recall - base.recall) * 100 : 0;
    console.log(
      `${row.label.padEnd(44)} ${(base?.recall ?? 0).toFixed(3).padStart(12)} ${row.recall.toFixed(3).padStart(13)} ${`${delta >= 0 ? "+" : ""}${delta.toFixed(1)}`.padStart(7)} ${row.candidates.toFixed(0).padStart(10)} ${row.p50Ms.toFixed(1).padStart(7)} ${row.p95Ms.toFixed(1).padStart(7)}`,
    );
  }
  console.log("(delta in recall points; latency is in-process candidate generation + ranking, brute-force cosine standing in for findNearest)");
}
