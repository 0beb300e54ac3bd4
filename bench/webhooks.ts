/**
 * Webhook delivery throughput: signed deliveries per second through our transport against a
 * local receiver, next to raw loopback HTTP to the same receiver in the same run.
 *
 *   npm run bench:webhooks [-- --requests 20000 --concurrency 64]
 *
 * "signed" is what an attempt does besides Firestore: open the endpoint's sealed secret
 * (HKDF + AES-256-GCM), sign (HMAC-SHA256 over id.timestamp.body), check the address (SSRF
 * policy) and POST with the pinned lookup, 30 s timeout, no redirects, the answer's first KiB
 * read. "raw" is a keep-alive `http.request` of the same body with no headers of ours. The
 * receiver answers 204 in this process for both, so both pay it equally. Figures only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createWebhookHttp } from "../functions/src/webhooks/webhook-http";
import { createSecretBox, generateWebhookSecret, signatureHeader } from "../functions/src/webhooks/webhook-signing";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const REQUESTS = arg("requests", 20_000);
const CONCURRENCY = arg("concurrency", 64);
const body = JSON.stringify({ type: "execution.completed", timestamp: new Date().toISOString(), data: { workspaceId: "w-bench", executionId: "e".repeat(20), promptId: "p".repeat(20), version: 3, model: "gpt-4o-mini", latencyMs: 812, usage: { inputTokens: 812, outputTokens: 240 } } });

async function receiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** `n` calls of `one`, `CONCURRENCY` at a time; deliveries per second. */
async function rate(n: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < n; i = next++) await one(i);
  }));
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const target = await receiver();
  const secrets = createSecretBox(() => "bench-webhook-secret-key-0123456789");
  const sealed = await secrets.seal(generateWebhookSecret(), "endpoint-bench");
  const send = createWebhookHttp({ allowLoopback: true, allowHttp: true });
  const signed = async (i: number) => {
    const webhookId = `msg_endpoint-bench_evt-${i}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { "content-type": "application/json", "user-agent": "RAG-Prompt-Library-Webhooks/1", "webhook-id": webhookId, "webhook-timestamp": String(timestamp), "webhook-signature": signatureHeader([await secrets.open(sealed, "endpoint-bench")], webhookId, timestamp, body) };
    const response = await send({ url: target.url, headers, body, timeoutMs: 30_000 });
    if (response.kind !== "response" || response.status !== 204) throw new Error(`Unexpected answer: ${JSON.stringify(response)}`);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const raw = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(target.url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(body);
    });

  // Warm both paths (JIT, sockets), then alternate so neither gets the quieter half of the run.
  await rate(Math.min(2_000, REQUESTS), signed);
  await rate(Math.min(2_000, REQUESTS), raw);
  const rounds = 3;
  const results = { signed: [] as number[], raw: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    results.raw.push(await rate(Math.ceil(REQUESTS / rounds), raw));
    results.signed.push(await rate(Math.ceil(REQUESTS / rounds), signed));
  }
  agent.destroy();
  await target.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const signedRate = median(results.signed);
  const rawRate = median(results.raw);
  console.log(`webhook deliveries: ${REQUESTS} per mode in ${rounds} rounds, concurrency ${CONCURRENCY}, body ${Buffer.byteLength(body)} B, receiver 204 on 127.0.0.1`);
  console.log(`  signed deliveries/s (open secret + sign + SSRF check + pinned POST): ${signedRate.toFixed(0)}   rounds: ${results.signed.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`  raw loopback HTTP POST/s (same body, same receiver):               ${rawRate.toFixed(0)}   rounds: ${results.raw.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`  ratio signed/raw: ${((signedRate / rawRate) * 100).toFixed(1)}% (goal >= 50%)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
