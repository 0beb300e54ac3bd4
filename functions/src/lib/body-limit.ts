import type { IncomingHttpHeaders } from "node:http";
import { PayloadTooLargeError } from "./errors";
import { DEFAULT_MAX_INPUT_BYTES } from "./validation";

/**
 * Room above an operation's input limit for what wraps the input on the wire (the callable
 * protocol's `{"data":...}`, JSON whitespace), so an input the parser accepts is never refused
 * by its declared size alone.
 */
export const ENVELOPE_ALLOWANCE_BYTES = 4 * 1024;

/** The body size a request declares, or undefined when it declares none (chunked) or an unreadable one. */
export function declaredContentLength(headers: IncomingHttpHeaders | undefined): number | undefined {
  const raw = headers?.["content-length"];
  if (typeof raw !== "string" || !/^\d{1,16}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/**
 * The error for a request whose declared body is larger than `maxInputBytes` (plus the envelope
 * allowance), or undefined. By the time our code runs the runtime has already read and parsed
 * the body (up to its own 32 MiB cap): this only spares the work that follows (key lookup,
 * limiter, our parse). Chunked bodies declare nothing and are bounded at parse instead.
 */
export function declaredOversize(headers: IncomingHttpHeaders | undefined, maxInputBytes: number = DEFAULT_MAX_INPUT_BYTES): PayloadTooLargeError | undefined {
  const size = declaredContentLength(headers);
  const limit = maxInputBytes + ENVELOPE_ALLOWANCE_BYTES;
  if (size === undefined || size <= limit) return undefined;
  return new PayloadTooLargeError(`Body is ${size} bytes; the limit is ${limit} bytes.`, { limit, size });
}
