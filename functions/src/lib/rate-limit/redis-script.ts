import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";

/** The part of the Upstash client the limiter uses: scripts only, so a decision is one call. */
export type ScriptRedis = Pick<Redis, "evalsha" | "eval">;

export type ScriptRunner = <T>(keys: string[], args: Array<string | number>) => Promise<T>;

/**
 * Runs a Lua script by its SHA (one round trip); only when Redis does not know the script yet
 * (first call after a restart or flush) is the source sent with EVAL.
 */
export function createScriptRunner(redis: ScriptRedis, source: string): ScriptRunner {
  const sha = createHash("sha1").update(source).digest("hex");
  return async <T>(keys: string[], args: Array<string | number>): Promise<T> => {
    const argv = args.map(String);
    try {
      return await redis.evalsha<string[], T>(sha, keys, argv);
    } catch (error) {
      if (!(error instanceof Error) || !/NOSCRIPT/i.test(error.message)) throw error;
      return redis.eval<string[], T>(source, keys, argv);
    }
  };
}
