/**
 * Turns a raw Redis reply into the JSON Upstash answers with.
 *
 * With `Upstash-Encoding: base64` (the @upstash/redis default) every bulk and status string is
 * base64 of its raw bytes, recursively inside arrays; integers stay JSON numbers and nil is
 * `null`. The one exception is a top-level status "OK", sent as is: the client decodes every
 * string except exactly "OK" (and decoding "T0s=" would give "OK" too, so either is safe).
 * Without the header strings are sent as UTF-8 text.
 *
 * The JSON is written by hand so integers beyond 2^53 keep all their digits.
 */
import { ErrorReply, StatusReply, type Reply } from "./resp";

export function encodeReply(reply: Reply, base64: boolean): string {
  if (base64 && reply instanceof StatusReply && reply.value === "OK") return '"OK"';
  return encodeValue(reply, base64);
}

function encodeValue(reply: Reply, base64: boolean): string {
  if (reply === null) return "null";
  if (typeof reply === "number") return String(reply);
  if (typeof reply === "bigint") return reply.toString();
  if (Buffer.isBuffer(reply)) return base64 ? `"${reply.toString("base64")}"` : JSON.stringify(reply.toString("utf8"));
  if (Array.isArray(reply)) {
    let out = "[";
    for (let i = 0; i < reply.length; i++) {
      if (i > 0) out += ",";
      out += encodeValue(reply[i]!, base64);
    }
    return out + "]";
  }
  // A status, or an error nested in an array (e.g. inside a Lua table): both are text.
  const text = reply instanceof StatusReply ? reply.value : (reply as ErrorReply).message;
  return base64 ? `"${Buffer.from(text, "utf8").toString("base64")}"` : JSON.stringify(text);
}

/** `{"result": ...}` or `{"error": "..."}` for one command. */
export function encodeResultItem(reply: Reply, base64: boolean): string {
  if (reply instanceof ErrorReply) return `{"error":${JSON.stringify(reply.message)}}`;
  return `{"result":${encodeReply(reply, base64)}}`;
}
