/**
 * Commands the endpoint refuses. Every `/` and `/pipeline` request shares one Redis connection,
 * so a command that changes that connection's state (database, subscriptions, transactions,
 * client name, protocol, auth) or blocks it (blocking pops, WAIT) would leak into or stall
 * everybody else's commands. Upstash has the same restriction for the same reason.
 * Transactions are available through `/multi-exec`.
 */
import type { Arg } from "./resp";

const CONNECTION_STATE = new Set([
  "SELECT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
  "MONITOR", "WATCH", "UNWATCH", "MULTI", "EXEC", "DISCARD", "CLIENT", "QUIT", "HELLO", "AUTH", "RESET",
  "SYNC", "PSYNC", "REPLCONF",
]);

const BLOCKING = new Set([
  "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BZPOPMIN", "BZPOPMAX", "BLMPOP", "BZMPOP", "WAIT", "WAITAOF",
]);

/** An error message when the command is refused, else `null`. `name` is upper case. */
export function refusal(name: string, args: readonly Arg[]): string | null {
  if (CONNECTION_STATE.has(name)) {
    const hint = ["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].includes(name) ? " (use the /multi-exec endpoint for transactions)" : "";
    return `ERR Command '${name}' is not supported by this endpoint: it would change the state of the shared connection${hint}`;
  }
  if (BLOCKING.has(name) || ((name === "XREAD" || name === "XREADGROUP") && hasBlockOption(args))) {
    return `ERR Command '${name}' is not supported by this endpoint: blocking commands would stall the shared connection`;
  }
  return null;
}

function hasBlockOption(args: readonly Arg[]): boolean {
  for (let i = 1; i < args.length; i++) {
    const word = args[i]!.toString().toUpperCase();
    if (word === "STREAMS") return false;
    if (word === "BLOCK") return true;
  }
  return false;
}
