/** The base64 response encoding, unit-level and over raw HTTP. */
import type { UpstashRestServer } from "../src";
import { encodeReply, encodeResultItem } from "../src/reply-encoding";
import { ErrorReply, StatusReply } from "../src/resp";
import { b64, raw, startEndpoint, uniqueKey } from "./helpers";

describe("encodeReply", () => {
  const tree = [Buffer.from("a"), 5, null, [Buffer.from([0xff]), [new StatusReply("OK"), 2n ** 64n]], new StatusReply("OK")];

  it("base64-encodes every bulk and status string, recursively; numbers and nil stay", () => {
    expect(JSON.parse(encodeReply(tree, true))).toEqual([b64("a"), 5, null, ["/w==", [b64("OK"), 18446744073709551616]], b64("OK")]);
    expect(encodeReply(2n ** 64n, true)).toBe("18446744073709551616");
  });

  it("sends a top-level status OK as is, other statuses encoded", () => {
    expect(encodeReply(new StatusReply("OK"), true)).toBe('"OK"');
    expect(encodeReply(new StatusReply("PONG"), true)).toBe(JSON.stringify(b64("PONG")));
    expect(encodeReply(Buffer.from("OK"), true)).toBe(JSON.stringify(b64("OK")));
  });

  it("sends plain strings without base64", () => {
    expect(JSON.parse(encodeReply(tree, false))).toEqual(["a", 5, null, ["\ufffd", ["OK", 18446744073709551616]], "OK"]);
  });

  it("wraps results and errors (errors never encoded)", () => {
    expect(encodeResultItem(new ErrorReply("ERR x"), true)).toBe('{"error":"ERR x"}');
    expect(encodeResultItem(Buffer.from("v"), true)).toBe(`{"result":"${b64("v")}"}`);
  });
});

describe("base64 encoding over HTTP", () => {
  let server: UpstashRestServer;
  beforeAll(async () => {
    server = await startEndpoint();
  });
  afterAll(() => server.close());

  it("encodes strings, keeps integers, nil and nesting", async () => {
    const key = uniqueKey("z");
    const list = uniqueKey("l");
    const res = await raw(
      server,
      "/pipeline",
      [
        ["SET", key, "héllo"],
        ["GET", key],
        ["STRLEN", key],
        ["GET", uniqueKey("missing")],
        ["RPUSH", list, "a", "b", 3],
        ["EVAL", "return {KEYS[1], 7, {ARGV[1], false, 'x'}, redis.status_reply('PONG')}", 1, "key1", "arg1"],
        ["PING"],
        ["TYPE", key],
      ],
      { base64: true },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { result: "OK" },
      { result: b64("héllo") },
      { result: 6 },
      { result: null },
      { result: 3 },
      { result: [b64("key1"), 7, [b64("arg1"), null, b64("x")], b64("PONG")] },
      { result: b64("PONG") },
      { result: b64("string") },
    ]);
  });

  it("is binary-safe: bytes that are not UTF-8 round-trip through base64", async () => {
    const key = uniqueKey("bin");
    await raw(server, "/", ["SET", key, "é€"]); // c3 a9 e2 82 ac
    const slice = await raw(server, "/", ["GETRANGE", key, 1, 2], { base64: true });
    expect(slice.body).toEqual({ result: Buffer.from([0xa9, 0xe2]).toString("base64") });
    const bits = uniqueKey("bits");
    await raw(server, "/", ["SETBIT", bits, 0, 1]);
    expect((await raw(server, "/", ["GET", bits], { base64: true })).body).toEqual({ result: "gA==" });
    // A binary POST body in the path form is stored byte for byte.
    const binKey = uniqueKey("body");
    const bytes = Buffer.from([0, 1, 0xfe, 0xff, 0x0d, 0x0a]);
    expect((await raw(server, `/set/${encodeURIComponent(binKey)}`, new Uint8Array(bytes))).body).toEqual({ result: "OK" });
    expect((await raw(server, "/", ["GET", binKey], { base64: true })).body).toEqual({ result: bytes.toString("base64") });
  });

  it("answers plain strings without the header", async () => {
    const key = uniqueKey("plain");
    const h = uniqueKey("h");
    const res = await raw(server, "/pipeline", [
      ["SET", key, "ünï"],
      ["GET", key],
      ["HSET", h, "f", 1.5],
      ["HGETALL", h],
    ]);
    expect(res.body).toEqual([{ result: "OK" }, { result: "ünï" }, { result: 1 }, { result: ["f", "1.5"] }]);
  });
});
