/** The real @upstash/redis client, unmodified, through the endpoint. */
import { Redis } from "@upstash/redis";
import type { UpstashRestServer } from "../src";
import { sha1Hex } from "../src/script-rewrite";
import { client, startEndpoint, uniqueKey } from "./helpers";

let server: UpstashRestServer;
beforeAll(async () => {
  server = await startEndpoint();
});
afterAll(() => server.close());

const CONFIGS: [string, Record<string, unknown>][] = [
  ["defaults (base64, auto-deserialization, auto-pipelining)", {}],
  ["responseEncoding: false", { responseEncoding: false }],
  ["automaticDeserialization: false", { automaticDeserialization: false }],
  ["automaticDeserialization: false, responseEncoding: false", { automaticDeserialization: false, responseEncoding: false }],
  ["enableAutoPipelining: false (single-command endpoint)", { enableAutoPipelining: false }],
];

describe.each(CONFIGS)("@upstash/redis with %s", (_label, options) => {
  let redis: Redis;
  const deserializes = options.automaticDeserialization !== false;
  beforeAll(() => {
    redis = client(server, options);
  });

  it("strings", async () => {
    const k = uniqueKey();
    expect(await redis.set(k, "hello")).toBe("OK");
    expect(await redis.get(k)).toBe("hello");
    expect(await redis.append(k, " world")).toBe(11);
    expect(await redis.getrange(k, 0, 4)).toBe("hello");
    expect(await redis.strlen(k)).toBe(11);
    expect(await redis.set(k, "x", { nx: true })).toBeNull();
    const [a, b] = [uniqueKey(), uniqueKey()];
    expect(await redis.mset({ [a]: "1", [b]: "two" })).toBe("OK");
    expect(await redis.mget(a, b, uniqueKey())).toEqual(deserializes ? [1, "two", null] : ["1", "two", null]);
    expect(await redis.getdel(b)).toBe("two");
    expect(await redis.get(b)).toBeNull();
  });

  it("unicode, control characters and a value that is literally OK", async () => {
    const k = uniqueKey("ünï🌍");
    const value = "héllo 🌍 \u0000 nul, \r\n, 中文, \"quotes\"";
    await redis.set(k, value);
    expect(await redis.get(k)).toBe(value);
    expect(await redis.keys(k)).toEqual([k]);
    await redis.set(k, "OK");
    expect(await redis.get(k)).toBe("OK");
  });

  it("large values (4 MB)", async () => {
    const k = uniqueKey();
    const value = "é".repeat(1024 * 1024) + "x".repeat(2 * 1024 * 1024);
    await redis.set(k, value);
    expect(await redis.get(k)).toBe(value);
    await redis.del(k);
  });

  it("json values", async () => {
    const k = uniqueKey();
    const doc = { name: "prompt", tags: ["a", "é"], n: 3, nested: { ok: true } };
    await redis.set(k, doc);
    expect(await redis.get(k)).toEqual(deserializes ? doc : JSON.stringify(doc));
  });

  it("counters", async () => {
    const k = uniqueKey();
    expect(await redis.incr(k)).toBe(1);
    expect(await redis.incrby(k, 41)).toBe(42);
    expect(await redis.decr(k)).toBe(41);
    expect(await redis.incrbyfloat(k, 0.5)).toBe(deserializes ? 41.5 : "41.5");
  });

  it("hashes", async () => {
    const k = uniqueKey();
    expect(await redis.hset(k, { a: "1", b: "x", c: "ü" })).toBe(3);
    expect(await redis.hget(k, "b")).toBe("x");
    // Without deserialization the client hands back the raw flat reply, as against Upstash.
    expect(await redis.hgetall(k)).toEqual(deserializes ? { a: 1, b: "x", c: "ü" } : ["a", "1", "b", "x", "c", "ü"]);
    expect(await redis.hincrby(k, "a", 2)).toBe(3);
    expect((await redis.hkeys(k)).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.hdel(k, "a", "zz")).toBe(1);
    expect(await redis.hlen(k)).toBe(2);
    expect(await redis.hgetall(uniqueKey())).toEqual(deserializes ? null : []);
  });

  it("lists", async () => {
    const k = uniqueKey();
    expect(await redis.rpush(k, "a", "b", "c")).toBe(3);
    expect(await redis.lpush(k, "z")).toBe(4);
    expect(await redis.lrange(k, 0, -1)).toEqual(["z", "a", "b", "c"]);
    expect(await redis.lpop(k)).toBe("z");
    expect(await redis.rpop(k, 2)).toEqual(["c", "b"]);
    expect(await redis.llen(k)).toBe(1);
  });

  it("sets", async () => {
    const k = uniqueKey();
    expect(await redis.sadd(k, "a", "b", "c")).toBe(3);
    expect((await redis.smembers(k)).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.sismember(k, "b")).toBe(1);
    expect(await redis.srem(k, "b")).toBe(1);
    expect(await redis.scard(k)).toBe(2);
  });

  it("sorted sets", async () => {
    const k = uniqueKey();
    expect(await redis.zadd(k, { score: 1, member: "one" }, { score: 2.5, member: "two" })).toBe(2);
    expect(await redis.zrange(k, 0, -1)).toEqual(["one", "two"]);
    expect(await redis.zrange(k, 0, -1, { withScores: true })).toEqual(deserializes ? ["one", 1, "two", 2.5] : ["one", "1", "two", "2.5"]);
    expect(await redis.zscore(k, "two")).toBe(deserializes ? 2.5 : "2.5");
    expect(await redis.zincrby(k, 10, "one")).toBe(deserializes ? 11 : "11");
    expect(await redis.zrank(k, "one")).toBe(1);
    expect(await redis.zcard(k)).toBe(2);
  });

  it("keys and expiry", async () => {
    const k = uniqueKey();
    await redis.set(k, "v", { ex: 100 });
    expect(await redis.ttl(k)).toBeGreaterThan(90);
    expect(await redis.exists(k, uniqueKey())).toBe(1);
    expect(await redis.type(k)).toBe("string");
    expect(await redis.persist(k)).toBe(1);
    expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.pexpire(k, 50_000)).toBe(1);
    expect(await redis.pttl(k)).toBeGreaterThan(40_000);
    const [cursor, keys] = await redis.scan(0, { match: k, count: 1000 });
    expect(typeof cursor === "string" || typeof cursor === "number").toBe(true);
    expect(Array.isArray(keys)).toBe(true);
    expect(await redis.del(k)).toBe(1);
    expect(await redis.exists(k)).toBe(0);
  });

  it("pipeline()", async () => {
    const k = uniqueKey();
    const results = await redis.pipeline().set(k, "1").incr(k).get(k).hset(uniqueKey(), { f: "v" }).exec();
    expect(results).toEqual(["OK", 2, deserializes ? 2 : "2", 1]);
  });

  it("pipeline() with a failing command: throws by default, keepErrors reports per item", async () => {
    const k = uniqueKey();
    await redis.set(k, "text");
    await expect(redis.pipeline().get(k).lpush(k, "x").exec()).rejects.toThrow(/Command 2 \[ LPUSH \] failed: WRONGTYPE/i);
    const items = await redis.pipeline().get(k).lpush(k, "x").exec({ keepErrors: true });
    expect(items[0]).toEqual({ result: "text", error: undefined });
    expect(items[1]!.error).toMatch(/^WRONGTYPE/);
  });

  it("multi() runs atomically; an error inside is reported per item", async () => {
    const k = uniqueKey();
    expect(await redis.multi().set(k, "a").append(k, "b").get(k).exec()).toEqual(["OK", 2, "ab"]);
    await expect(redis.multi().set(k, "x").lpush(k, "y").get(k).exec()).rejects.toThrow(/Command 2 \[ LPUSH \] failed: WRONGTYPE/i);
    expect(await redis.get(k)).toBe("x"); // the commands around the failing one ran
    const items = await redis.multi().incr(uniqueKey()).lpush(k, "y").exec({ keepErrors: true });
    expect(items[0]).toEqual({ result: 1, error: undefined });
    expect(items[1]!.error).toMatch(/^WRONGTYPE/);
  });

  it("concurrent multi() transactions never interleave", async () => {
    const counter = uniqueKey("counter");
    const log = uniqueKey("log");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => redis.multi().incr(counter).rpush(log, `a${i}`).rpush(log, `b${i}`).get(counter).exec()),
    );
    for (const [incr, , , get] of results as [number, number, number, unknown][]) expect(Number(get)).toBe(incr);
    const entries = await redis.lrange(log, 0, -1);
    for (let j = 0; j < entries.length; j += 2) expect(entries[j + 1]).toBe(entries[j]!.replace("a", "b"));
  });

  it("auto-pipelines concurrent calls correctly", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => uniqueKey(`ap${i}`));
    await Promise.all(keys.map((k, i) => redis.set(k, `v${i}`)));
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    expect(values).toEqual(keys.map((_, i) => `v${i}`));
  });

  it("eval, evalsha, scriptLoad, scriptExists, NOSCRIPT", async () => {
    const k = uniqueKey();
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])";
    expect(await redis.eval(script, [k], ["v1"])).toBe("v1");
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(sha1Hex(script));
    expect(await redis.evalsha(sha, [k], ["v2"])).toBe("v2");
    expect(await redis.scriptExists(sha, "0".repeat(40))).toEqual([1, 0]);
    await expect(redis.evalsha("f".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("scripts with an Upstash-only shebang: original SHA1, EVAL_RO, line numbers", async () => {
    const k = uniqueKey();
    const body = `return {KEYS[1], ARGV[1], ${Math.random()}}`;
    const script = `#!lua flags=allow-key-locking\n${body}`;
    const sha = sha1Hex(script);
    await expect(redis.evalsha(sha, [k], ["a"])).rejects.toThrow(/NOSCRIPT/); // the client would now fall back to EVAL
    expect((await redis.eval(script, [k], ["a"]) as unknown[]).slice(0, 2)).toEqual([k, "a"]);
    expect((await redis.evalsha(sha, [k], ["b"]) as unknown[]).slice(0, 2)).toEqual([k, "b"]);
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await redis.scriptLoad(script)).toBe(sha);
    expect((await redis.evalshaRo(sha, [k], ["c"]) as unknown[]).slice(0, 2)).toEqual([k, "c"]);
    expect((await redis.evalRo(script, [k], ["d"]) as unknown[]).slice(0, 2)).toEqual([k, "d"]);
    await expect(redis.eval("#!lua flags=allow-key-locking\nlocal a = 1\nreturn +", [], [])).rejects.toThrow(/user_script:3:/);
  });

  it("a wrong-type error rejects with the Redis error", async () => {
    const k = uniqueKey();
    await redis.set(k, "v");
    await expect(redis.lpush(k, "x")).rejects.toThrow(/WRONGTYPE Operation against a key holding the wrong kind of value/);
  });

  it("refuses connection-state commands", async () => {
    await expect(redis.exec(["SELECT", "1"])).rejects.toThrow(/SELECT.*not supported/);
    await expect(redis.exec(["BLPOP", uniqueKey(), "1"])).rejects.toThrow(/BLPOP.*not supported/);
    expect(await redis.exec(["PING"])).toBe("PONG");
  });
});

it("rejects a client with a wrong token (401)", async () => {
  const redis = new Redis({ url: server.url, token: "wrong", enableTelemetry: false, retry: false });
  await expect(redis.get(uniqueKey())).rejects.toThrow(/Unauthorized/);
});

it("batches concurrent calls into one HTTP request (auto-pipelining)", async () => {
  const redis = client(server);
  const before = (redis as unknown as { pipelineCounter: number }).pipelineCounter;
  const keys = Array.from({ length: 10 }, (_, i) => uniqueKey(`b${i}`));
  await Promise.all(keys.map((k) => redis.set(k, k)));
  const after = (redis as unknown as { pipelineCounter: number }).pipelineCounter;
  expect(after - before).toBe(1);
  expect(await Promise.all(keys.map((k) => redis.get(k)))).toEqual(keys);
});
