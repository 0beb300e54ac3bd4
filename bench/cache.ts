/**
 * The two-level cache (functions/src/lib/cache) against its goals, in one run:
 *   - L1 hit latency (goal <= 5 us),
 *   - L2 hit latency next to a raw Redis GET over the same transport (goal within 1.2x),
 *   - hit rate on a Zipf(1.1) workload over 10k keys with the default TTLs (goal >= 95%),
 *   - loader calls under 100 concurrent misses of one key (goal: exactly one per expiry).
 *
 *   npx tsx bench/cache.ts                          # starts redis-server + upstash-rest itself
 *   REDIS_URL=redis://127.0.0.1:6393 npx tsx bench/cache.ts
 *   UPSTASH_REDIS_REST_URL=http://127.0.0.1:8073 UPSTASH_REDIS_REST_TOKEN=... npx tsx bench/cache.ts
 *
 * Figures only, compared with baselines measured in the same run; nothing here asserts timings.
 */
import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import { createTwoLevelCache, type DataClass, type TwoLevelCacheOptions } from "../functions/src/lib/cache";
import { manualClock, systemClock } from "../functions/src/lib/clock";
import { startBenchStack, type BenchStack } from "./cache/stack";
import { ms, summarize, timed, us } from "./cache/stats";
import { zipfSampler } from "./cache/zipf";

const quiet = { warn: () => {} };
const verdict = (ok: boolean) => (ok ? "meets goal" : "MISSES goal");

/** A value shaped like a cached profile: a few fields, a Timestamp, a nested map. */
const profile = (id: string) => ({ id, plan: "pro", seats: 5, createdAt: new Timestamp(1_767_225_600, 0), limits: { prompts: 1000, runsPerDay: 5000 }, roles: ["owner"] });

async function l1HitLatency(stack: BenchStack, scope: string): Promise<void> {
  const cache = createTwoLevelCache({ redis: stack.redis, clock: systemClock, scope, logger: quiet });
  const key = { namespace: "users", id: "l1-hot", tags: ["user:l1-hot"] };
  const loader = async () => profile("l1-hot");
  await cache.getOrLoad(key, loader, "user");
  for (let i = 0; i < 20_000; i++) await cache.getOrLoad(key, loader, "user");
  const rounds = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await cache.getOrLoad(key, loader, "user");
  const meanNs = Number(process.hrtime.bigint() - start) / rounds;
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) samples.push(await timed(() => cache.getOrLoad(key, loader, "user")));
  const s = summarize(samples);
  console.log(`L1 hit               mean ${us(meanNs)} over ${rounds} calls; timed one by one p50 ${us(s.p50Ns)}, p99 ${us(s.p99Ns)}  -> ${verdict(meanNs <= 5000)} (<= 5 us)`);
}

async function l2HitLatency(stack: BenchStack, scope: string): Promise<void> {
  // An L1 of one entry, alternating two keys: every read misses L1 and hits L2.
  const cache = createTwoLevelCache({ redis: stack.redis, clock: systemClock, scope, logger: quiet, l1MaxEntries: 1 });
  const keys = ["l2-a", "l2-b"].map((id) => ({ namespace: "users", id, tags: [`user:${id}`] }));
  for (const key of keys) await cache.getOrLoad(key, async () => profile(key.id), "user");
  const rawKey = `cache:${scope}:v:users:l2-a`;
  const cached: number[] = [];
  const raw: number[] = [];
  const readCached = (i: number) => cache.getOrLoad(keys[i % 2]!, async () => profile("x"), "user");
  for (let i = 0; i < 300; i++) {
    await readCached(i);
    await stack.redis.get(rawKey);
  }
  // Interleaved one for one, so load on the machine falls on both alike.
  for (let i = 0; i < 4000; i++) {
    cached.push(await timed(() => readCached(i)));
    raw.push(await timed(() => stack.redis.get(rawKey)));
  }
  const c = summarize(cached);
  const r = summarize(raw);
  const loads = Object.values(cache.metrics().namespaces).reduce((sum, n) => sum + n.loads, 0);
  const ratio = c.p50Ns / r.p50Ns;
  console.log(`L2 hit               p50 ${ms(c.p50Ns)}, mean ${ms(c.meanNs)}, p99 ${ms(c.p99Ns)} (${c.n} reads, ${loads} loader calls)`);
  console.log(`raw GET (same client) p50 ${ms(r.p50Ns)}, mean ${ms(r.meanNs)}, p99 ${ms(r.p99Ns)}`);
  console.log(`L2 hit / raw GET     ${ratio.toFixed(2)}x at p50, ${(c.meanNs / r.meanNs).toFixed(2)}x mean  -> ${verdict(ratio <= 1.2)} (<= 1.2x)`);
}

async function zipfHitRate(stack: BenchStack, scope: string): Promise<void> {
  const keys = 10_000;
  const requests = 300_000;
  const perSecond = 150;
  const instances = 2;
  const clock = manualClock();
  const options: TwoLevelCacheOptions = { redis: stack.redis, clock, scope, logger: quiet };
  const caches = Array.from({ length: instances }, () => createTwoLevelCache(options));
  const sample = zipfSampler(keys, 1.1);
  // Key classes by id: 40% user data (15 min), 40% prompt data (1 h), 20% static (24 h).
  const classOf = (rank: number): DataClass => (rank % 5 < 2 ? "user" : rank % 5 < 4 ? "prompt" : "static");
  let loads = 0;
  const started = Date.now();
  for (let i = 0; i < requests; i++) {
    clock.advance(1000 / perSecond);
    const rank = sample();
    const dataClass = classOf(rank);
    await caches[i % instances]!.getOrLoad({ namespace: dataClass === "user" ? "users" : dataClass === "prompt" ? "prompts" : "flags", id: `k${rank}` }, async () => {
      loads += 1;
      return { rank, at: clock.now() };
    }, dataClass);
  }
  await Promise.all(caches.map((c) => c.idle()));
  const totals = { l1: 0, l2: 0, stale: 0 };
  for (const cache of caches) {
    for (const n of Object.values(cache.metrics().namespaces)) {
      totals.l1 += n.l1Hits;
      totals.l2 += n.l2Hits;
      totals.stale += n.l2StaleHits;
    }
  }
  const hitRate = 1 - loads / requests;
  const hours = (requests / perSecond / 3600).toFixed(1);
  console.log(
    `Zipf(1.1), 10k keys  ${requests} requests over ${hours} h simulated (${perSecond}/s, ${instances} instances, default TTLs): hit rate ${(hitRate * 100).toFixed(2)}% ` +
      `(L1 ${((totals.l1 / requests) * 100).toFixed(1)}%, L2 ${((totals.l2 / requests) * 100).toFixed(1)}%, stale-while-revalidate ${((totals.stale / requests) * 100).toFixed(1)}%, loader ${loads}) in ${((Date.now() - started) / 1000).toFixed(1)} s  -> ${verdict(hitRate >= 0.95)} (>= 95%)`,
  );
}

async function stampede(stack: BenchStack, scope: string): Promise<void> {
  const clock = manualClock();
  const make = () => createTwoLevelCache({ redis: stack.redis, clock, scope, logger: quiet });
  const one = make();
  let calls = 0;
  const loader = async () => {
    calls += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return profile("stampede");
  };
  const key = { namespace: "prompts", id: `stampede-${randomUUID()}` };
  const rounds: string[] = [];
  for (let expiry = 0; expiry < 3; expiry++) {
    calls = 0;
    await Promise.all(Array.from({ length: 100 }, () => one.getOrLoad(key, loader, "prompt")));
    rounds.push(String(calls));
    clock.advance(2 * 3600_000);
  }
  const [a, b] = [make(), make()];
  const shared = { namespace: "prompts", id: `stampede-shared-${randomUUID()}` };
  calls = 0;
  await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).getOrLoad(shared, loader, "prompt")));
  const ok = rounds.every((r) => r === "1") && calls === 1;
  console.log(`100 concurrent misses loader calls per expiry in one instance: ${rounds.join(", ")}; split over two instances: ${calls}  -> ${verdict(ok)} (exactly 1)`);
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const scope = `bench${randomUUID().slice(0, 8)}`;
  console.log(`two-level cache benchmark (node ${process.version}; ${stack.describe}; scope ${scope})\n`);
  try {
    await l1HitLatency(stack, scope);
    await l2HitLatency(stack, scope);
    await zipfHitRate(stack, scope);
    await stampede(stack, scope);
  } finally {
    const keys = await stack.redis.keys(`cache:${scope}:*`);
    for (let i = 0; i < keys.length; i += 500) await stack.redis.del(...keys.slice(i, i + 500));
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
