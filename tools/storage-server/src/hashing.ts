/** Streams a body into a file while computing size, CRC32C and MD5, so nothing is held in memory. */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { Crc32c } from "./crc32c";

export type Digest = { size: number; crc32c: string; md5Hash: string };

export class Hasher {
  private readonly crc = new Crc32c();
  private readonly md5 = createHash("md5");
  private size = 0;

  update(chunk: Buffer): void {
    this.crc.update(chunk);
    this.md5.update(chunk);
    this.size += chunk.length;
  }

  digest(): Digest {
    return { size: this.size, crc32c: this.crc.base64(), md5Hash: this.md5.digest("base64") };
  }
}

/**
 * Copies `source` into `path` (created or appended). Resolves with the byte count written even
 * when the source ends early (aborted request), so resumable uploads keep what arrived.
 */
export function writeStreamToFile(source: AsyncIterable<Buffer>, path: string, opts: { append?: boolean; hasher?: Hasher; limit?: (total: number) => void } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: opts.append ? "a" : "w" });
    let written = 0;
    let failed: unknown;
    out.on("error", reject);
    const pump = async (): Promise<void> => {
      try {
        for await (const chunk of source) {
          written += chunk.length;
          opts.limit?.(written);
          opts.hasher?.update(chunk);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", r));
        }
      } catch (err) {
        failed = err;
      }
      out.end(() => (failed && !isAbort(failed) ? reject(failed) : resolve(written)));
    };
    void pump();
  });
}

function isAbort(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || (err as Error).message === "aborted";
}

/** Hashes a whole file by streaming it (resumable uploads are hashed once, at finalization). */
export async function digestFile(path: string): Promise<Digest> {
  const hasher = new Hasher();
  const stream: Readable = createReadStream(path);
  for await (const chunk of stream) hasher.update(chunk as Buffer);
  return hasher.digest();
}
