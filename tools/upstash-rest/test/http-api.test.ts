/** The REST surface over raw HTTP: auth, status codes, endpoints, refused commands. */
import type { UpstashRestServer } from "../src";
import { raw, startEndpoint, TOKEN, uniqueKey } from "./helpers";

let server: UpstashRestServer;
beforeAll(async () => {
  server = await startEndpoint({ maxBodyBytes: 64 * 1024 });
});
afterAll(() => server.close());

describe("auth", () => {
  it("answers 401 without the token or with a wrong one", async () => {
    expect(await raw(server, "/", ["PING"], { token: null })).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect(await raw(server, "/pipeline", [["PING"]], { token: "nope" })).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect((await raw(server, "/get/x", undefined, { token: null, method: "GET" })).status).toBe(401);
  });

  it("accepts the token as ?_token= too", async () => {
    expect(await raw(server, `/?_token=${TOKEN}`, ["PING"], { token: null })).toEqual({ status: 200, body: { result: "PONG" } });
  });
});

describe("POST /", () => {
  it("runs one command", async () => {
    const key = uniqueKey();
    expect(await raw(server, "/", ["SET", key, "v", "EX", 100])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await raw(server, "/", ["GET", key])).toEqual({ status: 200, body: { result: "v" } });
    expect(await raw(server, "/", ["INCRBYFLOAT", uniqueKey(), 1.5])).toEqual({ status: 200, body: { result: "1.5" } });
  });

  it("answers a command error with 400 and the Redis error text", async () => {
    const key = uniqueKey();
    await raw(server, "/", ["SET", key, "v"]);
    expect(await raw(server, "/", ["LPUSH", key, "x"])).toEqual({
      status: 400,
      body: { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
    });
    expect((await raw(server, "/", ["NOSUCHCOMMAND"])).body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
  });

  it("rejects malformed bodies with 400", async () => {
    expect((await raw(server, "/", "{not json")).status).toBe(400);
    expect((await raw(server, "/", [])).status).toBe(400);
    expect((await raw(server, "/", { cmd: "GET" })).status).toBe(400);
    expect((await raw(server, "/", ["GET", null])).status).toBe(400);
    expect((await raw(server, "/pipeline", ["GET", "x"])).status).toBe(200); // items are checked one by one
    expect((await raw(server, "/pipeline", { a: 1 })).status).toBe(400);
  });

  it("caps the body size with 413", async () => {
    const res = await raw(server, "/", ["SET", uniqueKey(), "x".repeat(100 * 1024)]);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: expect.stringMatching(/exceeds/) });
    expect((await raw(server, "/", ["PING"])).status).toBe(200);
  });

  it("answers 405 for other methods", async () => {
    expect((await raw(server, "/", undefined, { method: "PUT" })).status).toBe(405);
    expect((await raw(server, "/pipeline", undefined, { method: "GET" })).status).toBe(405);
  });
});

describe("POST /pipeline", () => {
  it("answers every command in order; a failing one does not fail the others", async () => {
    const key = uniqueKey();
    const res = await raw(server, "/pipeline", [
      ["SET", key, "v"],
      ["INCR", key],
      ["SELECT", 1],
      ["APPEND", key, "w"],
      ["GET", key],
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { error: expect.stringMatching(/SELECT.*not supported/) },
      { result: 2 },
      { result: "vw" },
    ]);
  });
});

describe("POST /multi-exec", () => {
  it("runs the transaction and reports errors per command", async () => {
    const key = uniqueKey();
    const res = await raw(server, "/multi-exec", [
      ["SET", key, "a"],
      ["INCR", key],
      ["GET", key],
    ]);
    expect(res).toEqual({
      status: 200,
      body: [{ result: "OK" }, { error: "ERR value is not an integer or out of range" }, { result: "a" }],
    });
  });

  it("answers 400 and runs nothing when Redis discards the transaction", async () => {
    const key = uniqueKey();
    const res = await raw(server, "/multi-exec", [["SET", key, "a"], ["GET"]]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^EXECABORT .*wrong number of arguments/) });
    expect((await raw(server, "/", ["EXISTS", key])).body).toEqual({ result: 0 });
  });

  it("refuses a transaction containing a refused command, running nothing", async () => {
    const key = uniqueKey();
    const res = await raw(server, "/multi-exec", [["SET", key, "a"], ["MULTI"]]);
    expect(res.status).toBe(400);
    expect((await raw(server, "/", ["EXISTS", key])).body).toEqual({ result: 0 });
  });
});

describe("path form", () => {
  it("runs /cmd/arg/arg, query options and a POST body as the value", async () => {
    const key = uniqueKey("a/b c");
    const enc = encodeURIComponent(key);
    expect(await raw(server, `/set/${enc}/hello%20world?EX=100`, undefined, { method: "GET" })).toEqual({ status: 200, body: { result: "OK" } });
    expect((await raw(server, `/get/${enc}`, undefined, { method: "GET" })).body).toEqual({ result: "hello world" });
    expect((await raw(server, `/ttl/${enc}`, undefined, { method: "GET" })).body).toEqual({ result: expect.any(Number) });
    expect((await raw(server, `/set/${enc}`, "raw body", { method: "POST", headers: { "content-type": "text/plain" } })).body).toEqual({ result: "OK" });
    expect((await raw(server, `/get/${enc}`, undefined, { method: "GET", base64: true })).body).toEqual({ result: Buffer.from("raw body").toString("base64") });
  });
});

describe("refused commands", () => {
  const refused: (string | number)[][] = [
    ["SELECT", 1],
    ["SUBSCRIBE", "c"],
    ["PSUBSCRIBE", "c*"],
    ["SSUBSCRIBE", "c"],
    ["UNSUBSCRIBE"],
    ["MONITOR"],
    ["WATCH", "k"],
    ["UNWATCH"],
    ["MULTI"],
    ["EXEC"],
    ["DISCARD"],
    ["BLPOP", "k", 0],
    ["BRPOP", "k", 0],
    ["BLMOVE", "a", "b", "LEFT", "LEFT", 0],
    ["BRPOPLPUSH", "a", "b", 0],
    ["BZPOPMIN", "k", 0],
    ["BZPOPMAX", "k", 0],
    ["BLMPOP", 0, 1, "k", "LEFT"],
    ["BZMPOP", 0, 1, "k", "MIN"],
    ["XREAD", "BLOCK", 0, "STREAMS", "s", "$"],
    ["xreadgroup", "GROUP", "g", "c", "block", 0, "STREAMS", "s", ">"],
    ["CLIENT", "SETNAME", "x"],
    ["QUIT"],
    ["HELLO", 3],
    ["AUTH", "x"],
    ["RESET"],
  ];

  it.each(refused.map((c) => [String(c[0]), c]))("refuses %s with a clear error", async (_name, command) => {
    const res = await raw(server, "/", command);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^ERR Command '.+' is not supported by this endpoint/) });
  });

  it("still allows the non-blocking XREAD and the shared connection is unaffected", async () => {
    const stream = uniqueKey("s");
    await raw(server, "/", ["XADD", stream, "*", "f", "v"]);
    const res = await raw(server, "/", ["XREAD", "COUNT", 1, "STREAMS", stream, "0"]);
    expect(res.status).toBe(200);
    expect((await raw(server, "/", ["PING"])).body).toEqual({ result: "PONG" });
  });
});

describe("shared connection under load", () => {
  it("keeps every reply with its request across 300 concurrent requests", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => uniqueKey(`c${i}`));
    const answers = await Promise.all(
      keys.map((k, i) =>
        i % 3 === 0
          ? raw(server, "/", ["SET", k, k, "GET"])
          : raw(server, i % 3 === 1 ? "/pipeline" : "/multi-exec", [["SET", k, k], ["APPEND", k, "!"], ["GET", k]]),
      ),
    );
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      if (i % 3 === 0) expect(a.body).toEqual({ result: null });
      else expect(a.body).toEqual([{ result: "OK" }, { result: keys[i]!.length + 1 }, { result: `${keys[i]}!` }]);
    });
  });
});
