import { encodeCommands, ErrorReply, RespParser, StatusReply, type Reply } from "../src/resp";

function parseAll(wire: Buffer, chunkSizes: number[] = [wire.length]): Reply[] {
  const out: Reply[] = [];
  const parser = new RespParser((r) => out.push(r));
  let at = 0;
  let i = 0;
  while (at < wire.length) {
    const size = chunkSizes[i++ % chunkSizes.length]!;
    parser.feed(wire.subarray(at, at + size));
    at += size;
  }
  return out;
}

const WIRE = Buffer.concat([
  Buffer.from("+OK\r\n-ERR boom\r\n:42\r\n:-7\r\n:9223372036854775807\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n"),
  Buffer.from("$4\r\na\r\nb\r\n"),
  Buffer.from("*3\r\n$1\r\nx\r\n*2\r\n:1\r\n$-1\r\n+QUEUED\r\n"),
  Buffer.from([0x24, 0x32, 0x0d, 0x0a, 0xff, 0xfe, 0x0d, 0x0a]),
]);

function expectWire(replies: Reply[]): void {
  expect(replies).toEqual([
    new StatusReply("OK"),
    new ErrorReply("ERR boom"),
    42,
    -7,
    9223372036854775807n,
    null,
    null,
    [],
    Buffer.alloc(0),
    Buffer.from("a\r\nb"),
    [Buffer.from("x"), [1, null], new StatusReply("QUEUED")],
    Buffer.from([0xff, 0xfe]),
  ]);
}

describe("RESP parser", () => {
  it("parses every reply type, binary-safe, including CRLF inside bulk strings", () => {
    expectWire(parseAll(WIRE));
  });

  it("gives the same replies however the stream is split", () => {
    for (const size of [1, 2, 3, 5, 7, 11]) expectWire(parseAll(WIRE, [size]));
    for (let cut = 1; cut < WIRE.length; cut++) expectWire(parseAll(WIRE, [cut, WIRE.length]));
  });

  it("handles a large bulk string arriving in many chunks", () => {
    const big = Buffer.alloc(3_000_000, 0x61);
    const wire = Buffer.concat([Buffer.from(`$${big.length}\r\n`), big, Buffer.from("\r\n:1\r\n")]);
    const replies = parseAll(wire, [65_536]);
    expect(replies).toHaveLength(2);
    expect((replies[0] as Buffer).equals(big)).toBe(true);
    expect(replies[1]).toBe(1);
  });

  it("rejects an unknown type byte", () => {
    expect(() => parseAll(Buffer.from("?x\r\n"))).toThrow(/protocol error/);
  });
});

describe("RESP encoder", () => {
  it("writes commands as arrays of bulk strings, counting UTF-8 bytes", () => {
    expect(encodeCommands([["SET", "k", "é"], ["GET", Buffer.from([0, 255])]]).toString("latin1")).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\xc3\xa9\r\n*2\r\n$3\r\nGET\r\n$2\r\n\x00\xff\r\n",
    );
  });
});
