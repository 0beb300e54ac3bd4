/**
 * Streaming parser for `multipart/related` uploads: a JSON metadata part followed by the media
 * part. The metadata is buffered (it is small); the media is yielded chunk by chunk, holding back
 * only enough bytes to recognise the closing boundary.
 */
import { invalid } from "./errors";
import type { Json } from "./resource";

const MAX_HEADER_BYTES = 1024 * 1024;

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    return true;
  }

  /** Bytes up to `delim` (consumed, not returned); fails past `max` bytes or at end of input. */
  async until(delim: Buffer, max = MAX_HEADER_BYTES): Promise<Buffer> {
    for (;;) {
      const idx = this.buf.indexOf(delim);
      if (idx >= 0) {
        const out = this.buf.subarray(0, idx);
        this.buf = this.buf.subarray(idx + delim.length);
        return out;
      }
      if (this.buf.length > max) throw invalid("Malformed multipart body.");
      if (!(await this.fill())) throw invalid("Malformed multipart body: unexpected end.");
    }
  }

  async *streamUntil(delim: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const idx = this.buf.indexOf(delim);
      if (idx >= 0) {
        if (idx > 0) yield this.buf.subarray(0, idx);
        this.buf = this.buf.subarray(idx + delim.length);
        return;
      }
      const keep = delim.length - 1;
      if (this.buf.length > keep) {
        const out = this.buf.subarray(0, this.buf.length - keep);
        this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
        yield out;
      }
      if (!(await this.fill())) throw invalid("Malformed multipart body: missing closing boundary.");
    }
  }

  async drain(): Promise<void> {
    while (await this.fill()) this.buf = Buffer.alloc(0);
  }
}

function parseHeaders(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.toString("utf8").split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export function boundaryOf(contentType: string | undefined): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw invalid("Missing multipart boundary.");
  return boundary;
}

export type MultipartUpload = { metadata: Json; mediaContentType?: string; media: AsyncGenerator<Buffer>; finish(): Promise<void> };

export async function parseMultipart(source: AsyncIterable<Buffer>, boundary: string): Promise<MultipartUpload> {
  const reader = new Reader(source[Symbol.asyncIterator]());
  const dash = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  const crlf = Buffer.from("\r\n");
  const headerEnd = Buffer.from("\r\n\r\n");
  await reader.until(dash);
  await reader.until(crlf);
  const firstHeaders = parseHeaders(await reader.until(headerEnd));
  const firstBody = await reader.until(delim);
  await reader.until(crlf);
  let metadata: Json = {};
  if (!/json/i.test(firstHeaders["content-type"] ?? "application/json")) throw invalid("The first multipart part must be JSON metadata.");
  try {
    const text = firstBody.toString("utf8").trim();
    metadata = text ? (JSON.parse(text) as Json) : {};
  } catch {
    throw invalid("Invalid JSON in multipart metadata.");
  }
  const mediaHeaders = parseHeaders(await reader.until(headerEnd));
  const result: MultipartUpload = { metadata, media: reader.streamUntil(delim), finish: () => reader.drain() };
  if (mediaHeaders["content-type"]) result.mediaContentType = mediaHeaders["content-type"];
  return result;
}
