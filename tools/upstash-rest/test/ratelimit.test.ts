/** The real @upstash/ratelimit (Lua scripts with `#!lua flags=allow-key-locking`) through the endpoint. */
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { UpstashRestServer } from "../src";
import { client, startEndpoint, uniqueKey } from "./helpers";

let server: UpstashRestServer;
let redis: Redis;
beforeAll(async () => {
  server = await startEndpoint();
  redis = client(server);
});
afterAll(() => server.close());

const WINDOW_MS = 10_000;

/** Waits until at least `marginMs` remain in the current fixed window, so a test never straddles two. */
async function awayFromWindowEdge(windowMs = WINDOW_MS, marginMs = 3_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

const windowEnd = (now: number, windowMs = WINDOW_MS): number => (Math.floor(now / windowMs) + 1) * windowMs;

type Limiter = ConstructorParameters<typeof Ratelimit>[0]["limiter"];
const LIMITERS: [string, () => Limiter, "window" | "bucket"][] = [
  ["fixedWindow(10, 10 s)", () => Ratelimit.fixedWindow(10, "10 s"), "window"],
  ["slidingWindow(10, 10 s)", () => Ratelimit.slidingWindow(10, "10 s"), "window"],
  ["tokenBucket(1 per 10 s, max 10)", () => Ratelimit.tokenBucket(1, "10 s", 10), "bucket"],
];
const CACHES: [string, { ephemeralCache?: false }][] = [
  ["ephemeralCache: false", { ephemeralCache: false }],
  ["default ephemeral cache", {}],
];

describe.each(LIMITERS)("%s", (_name, limiter, kind) => {
  describe.each(CACHES)("with %s", (_cacheName, cacheOptions) => {
    const make = (): Ratelimit => new Ratelimit({ redis, limiter: limiter(), prefix: uniqueKey("rl"), analytics: false, ...cacheOptions });

    it("allows exactly the limit, then denies, with correct remaining and reset", async () => {
      await awayFromWindowEdge();
      const rl = make();
      const id = uniqueKey("user");
      const start = Date.now();
      for (let i = 0; i < 10; i++) {
        const r = await rl.limit(id);
        expect(r).toMatchObject({ success: true, limit: 10, remaining: 9 - i });
        expect(r.reason).toBeUndefined(); // not a timeout or cache answer: Redis decided
        if (kind === "window") expect(r.reset).toBe(windowEnd(start));
        else {
          expect(r.reset).toBeGreaterThan(start);
          expect(r.reset).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
        }
      }
      const denied = await rl.limit(id);
      expect(denied).toMatchObject({ success: false, limit: 10, remaining: 0 });
      expect(denied.reset).toBeGreaterThan(start);
      expect(denied.reset).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
      if (kind === "window") expect(denied.reset).toBe(windowEnd(start));
      // Another identifier is unaffected.
      expect((await rl.limit(uniqueKey("other"))).success).toBe(true);
    });

    it("getRemaining and resetUsedTokens", async () => {
      await awayFromWindowEdge();
      const rl = make();
      const id = uniqueKey("user");
      expect((await rl.getRemaining(id)).remaining).toBe(10);
      for (let i = 0; i < 4; i++) await rl.limit(id);
      const remaining = await rl.getRemaining(id);
      expect(remaining.remaining).toBe(6);
      expect(remaining.reset).toBeGreaterThan(Date.now());
      for (let i = 0; i < 6; i++) expect((await rl.limit(id)).success).toBe(true);
      expect((await rl.limit(id)).success).toBe(false);
      await rl.resetUsedTokens(id);
      expect((await rl.getRemaining(id)).remaining).toBe(10);
      expect(await rl.limit(id)).toMatchObject({ success: true, remaining: 9 });
    });
  });

  it("is exact under concurrency: 30 simultaneous requests, 10 succeed", async () => {
    await awayFromWindowEdge();
    const rl = new Ratelimit({ redis, limiter: limiter(), prefix: uniqueKey("rl"), analytics: false, ephemeralCache: false });
    const id = uniqueKey("burst");
    const results = await Promise.all(Array.from({ length: 30 }, () => rl.limit(id)));
    expect(results.filter((r) => r.success)).toHaveLength(10);
    expect(results.every((r) => r.reason === undefined)).toBe(true);
    expect(results.map((r) => r.remaining).sort((a, b) => a - b)).toEqual([...Array<number>(21).fill(0), 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

it("works with a client that does not use base64 responses", async () => {
  const plain = client(server, { responseEncoding: false });
  const rl = new Ratelimit({ redis: plain, limiter: Ratelimit.slidingWindow(2, "10 s"), prefix: uniqueKey("rl"), analytics: false, ephemeralCache: false });
  const id = uniqueKey("user");
  expect((await rl.limit(id)).success).toBe(true);
  expect((await rl.limit(id)).success).toBe(true);
  expect((await rl.limit(id)).success).toBe(false);
});
