/**
 * A minimal RESP2 codec (the Redis wire protocol), written for this endpoint.
 *
 * Why not node-redis/ioredis: both reshape replies (HGETALL into objects, status strings into
 * JS strings indistinguishable from bulk strings, errors into thrown exceptions that break a
 * pipeline's ordering) and decode bulk strings as UTF-8 unless told otherwise. The endpoint needs
 * the opposite: the raw reply tree, bulk strings as bytes (so base64 is computed on the real
 * bytes), status vs. bulk strings kept apart (the Upstash client treats them differently), errors
 * as values in their slot, and a whole pipeline written back-to-back in one socket write. RESP2
 * is small enough that owning the codec is simpler than bending a client library into that shape.
 */

/** A RESP simple string ("+OK"), kept distinct from a bulk string. */
export class StatusReply {
  constructor(readonly value: string) {}
}

/** A RESP error ("-ERR ..."), carried as a value so it stays in its pipeline slot. */
export class ErrorReply {
  constructor(readonly message: string) {}
}

/** A RESP2 reply: bulk string (bytes), status, integer (bigint beyond 2^53), nil, error or array. */
export type Reply = Buffer | StatusReply | number | bigint | null | ErrorReply | Reply[];

/** A command argument as it arrives: text (sent as UTF-8) or raw bytes. */
export type Arg = string | Buffer;

const CRLF_LEN = 2;

/** Encodes a batch of commands into one buffer (RESP arrays of bulk strings), ready for one write. */
export function encodeCommands(commands: readonly (readonly Arg[])[]): Buffer {
  let size = 0;
  const lengths: number[][] = [];
  for (const args of commands) {
    const lens: number[] = [];
    size += 1 + decimalLength(args.length) + CRLF_LEN;
    for (const arg of args) {
      const len = typeof arg === "string" ? Buffer.byteLength(arg, "utf8") : arg.length;
      lens.push(len);
      size += 1 + decimalLength(len) + CRLF_LEN + len + CRLF_LEN;
    }
    lengths.push(lens);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let c = 0; c < commands.length; c++) {
    const args = commands[c]!;
    const lens = lengths[c]!;
    at += out.write(`*${args.length}\r\n`, at, "latin1");
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      at += out.write(`$${lens[i]}\r\n`, at, "latin1");
      at += typeof arg === "string" ? out.write(arg, at, "utf8") : arg.copy(out, at);
      out[at++] = 13;
      out[at++] = 10;
    }
  }
  return out;
}

function decimalLength(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

interface Frame {
  items: Reply[];
  filled: number;
}

/**
 * Streaming RESP2 parser. Feed it socket chunks; it calls `onReply` once per complete top-level
 * reply, in order. It is resumable: a partially received array keeps its filled elements across
 * chunks, and a large bulk string is not re-scanned until enough bytes have arrived, so a big
 * reply costs linear time.
 */
export class RespParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Do not try to parse again until at least this many bytes are buffered. */
  private need = 1;
  private readonly stack: Frame[] = [];

  constructor(private readonly onReply: (reply: Reply) => void) {}

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.need) return;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const consumed = this.parse(buf);
    if (consumed === buf.length) {
      this.chunks = [];
      this.buffered = 0;
    } else {
      const rest = buf.subarray(consumed);
      this.chunks = [rest];
      this.buffered = rest.length;
    }
  }

  /** Drops any partial state (after the connection it belonged to is gone). */
  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.need = 1;
    this.stack.length = 0;
  }

  /** Parses as many replies as `buf` holds; returns the number of bytes consumed. */
  private parse(buf: Buffer): number {
    let pos = 0;
    const end = buf.length;
    for (;;) {
      if (pos >= end) {
        this.need = 1;
        return pos;
      }
      const lineEnd = buf.indexOf(13, pos + 1);
      if (lineEnd === -1 || lineEnd + 1 >= end) {
        this.need = end - pos + 1;
        return pos;
      }
      const type = buf[pos]!;
      let value: Reply;
      let next = lineEnd + CRLF_LEN;
      switch (type) {
        case 36 /* $ */: {
          const len = parseIntAscii(buf, pos + 1, lineEnd);
          if (len < 0) {
            value = null;
          } else {
            if (next + len + CRLF_LEN > end) {
              this.need = next + len + CRLF_LEN - pos;
              return pos;
            }
            value = buf.subarray(next, next + len);
            next += len + CRLF_LEN;
          }
          break;
        }
        case 43 /* + */:
          value = new StatusReply(buf.toString("utf8", pos + 1, lineEnd));
          break;
        case 45 /* - */:
          value = new ErrorReply(buf.toString("utf8", pos + 1, lineEnd));
          break;
        case 58 /* : */:
          value = parseInteger(buf.toString("latin1", pos + 1, lineEnd));
          break;
        case 42 /* * */: {
          const n = parseIntAscii(buf, pos + 1, lineEnd);
          if (n < 0) {
            value = null;
          } else if (n === 0) {
            value = [];
          } else {
            this.stack.push({ items: new Array<Reply>(n), filled: 0 });
            pos = next;
            continue;
          }
          break;
        }
        default:
          throw new Error(`RESP protocol error: unexpected type byte 0x${type.toString(16)}`);
      }
      pos = next;
      this.deliver(value);
    }
  }

  private deliver(value: Reply): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.onReply(v);
        return;
      }
      top.items[top.filled++] = v;
      if (top.filled < top.items.length) return;
      this.stack.pop();
      v = top.items;
    }
  }
}

function parseIntAscii(buf: Buffer, from: number, to: number): number {
  let negative = false;
  let i = from;
  if (buf[i] === 45) {
    negative = true;
    i++;
  }
  let n = 0;
  for (; i < to; i++) n = n * 10 + (buf[i]! - 48);
  return negative ? -n : n;
}

function parseInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}
