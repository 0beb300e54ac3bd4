import { Redis } from "@upstash/redis";

/** The Upstash REST endpoint of the local stack (a real Redis behind `tools/upstash-rest`). */
export function upstashEnv(): { url: string; token: string } {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) {
    throw new Error(
      "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: run the tests with `npm test`, which starts the local stack, or point them at a tools/upstash-rest endpoint.",
    );
  }
  return { url, token };
}

export function upstashClient(url = upstashEnv().url, token = upstashEnv().token): Redis {
  return new Redis({ url, token, retry: false, enableTelemetry: false });
}
