/**
 * One of the processes hammering a single identity in the accuracy test (and the bench). It
 * prints "ready", waits for "go <endAt>" on stdin so all processes start together, then limits
 * as fast as it can: `attempts` requests (burst), or until `endAt` sleeping exactly
 * `retryAfterMs` when refused (sustained). It prints the decision times of admissions and of
 * refusals made by Redis as JSON.
 */
import { createInterface } from "node:readline";
import { systemClock } from "../../src/lib/clock";
import { createRateLimiter, createRedisStore, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { upstashClient } from "./redis-env";

const [url, token, id, limit, windowMs, attempts] = process.argv.slice(2);
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const config = resolveRateLimitConfig({
    policies: { hammer: { cost: 1, failMode: "open", bucket: "acc" } },
    overrides: { [`user:${id}`]: [{ limit: Number(limit), windowMs: Number(windowMs) }] },
    challenge: { violations: 0 },
    redis: { timeoutMs: 5_000 },
  });
  const limiter = createRateLimiter({ config, store: createRedisStore(upstashClient(url, token)), clock: systemClock, logger: silent });
  const lines = createInterface({ input: process.stdin });
  process.stdout.write("ready\n");
  const go = await new Promise<string>((resolve) => lines.once("line", resolve));
  lines.close();
  const endAt = Number(go.split(" ")[1]);
  const budget = Number(attempts);
  const admitted: number[] = [];
  const refused: number[] = [];
  let calls = 0;
  while (budget > 0 ? calls < budget : Date.now() < endAt) {
    const decision = await limiter.limit({ identity: { kind: "user", id }, policy: "hammer" });
    calls++;
    if (decision.allowed) admitted.push(decision.at);
    else if (decision.source === "redis") refused.push(decision.at);
    if (!decision.allowed && budget === 0) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(decision.retryAfterMs, endAt - Date.now()))));
  }
  process.stdout.write(JSON.stringify({ admitted, refused, calls }) + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exit(1);
});
