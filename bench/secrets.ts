/**
 * Costs of runtime secrets and field encryption, with baselines measured in the same run:
 *   - seal + open of a sealed field (envelope: a fresh data key per value, wrapped by the KEK)
 *     next to one AES-256-GCM encrypt + decrypt of the same value under a fixed key;
 *   - a key read served from the reader's cache next to a read from Secret Manager (the real
 *     client against tools/secret-manager-server, in-process): what the cache saves per use.
 *
 *   npm run bench:secrets [-- --rounds N]
 *
 * Figures only; nothing here asserts timings. Rounds alternate between the measured path and its
 * baseline so machine load affects both alike.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { startSecretManagerServer } from "../tools/secret-manager-server/src";
import { systemClock } from "../functions/src/lib/clock";
import { createSecretReader, noAudit, secretManagerSource, staticKeyRing } from "../functions/src/lib/secrets";
import { createFieldCipher } from "../functions/src/secrets/field-cipher";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 5);
const quiet = { record: () => undefined };

async function perOp(n: number, fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

function plainGcm(key: Buffer, value: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const sealed = Buffer.concat([c.update(value), c.final()]);
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAuthTag(c.getAuthTag());
  return Buffer.concat([d.update(sealed), d.final()]);
}

async function fieldEncryption(): Promise<void> {
  const cipher = createFieldCipher({ keys: staticKeyRing("bench-field-encryption-key-0123", "field-encryption-kek") });
  const key = randomBytes(32);
  console.log("\nField encryption: seal + open per value (µs), envelope vs one AES-256-GCM round trip");
  for (const size of [256, 4096, 65536]) {
    const text = "x".repeat(size);
    const value = Buffer.from(text);
    const ops = size >= 65536 ? 500 : 5000;
    let envelope = 0;
    let baseline = 0;
    await perOp(200, async () => cipher.open(await cipher.seal(text, "ctx"), "ctx"));
    for (let r = 0; r < ROUNDS; r++) {
      envelope += await perOp(ops, async () => cipher.open(await cipher.seal(text, "ctx"), "ctx"));
      baseline += await perOp(ops, async () => plainGcm(key, value));
    }
    console.log(`  ${String(size).padStart(6)} B  envelope ${(envelope / ROUNDS).toFixed(1).padStart(7)} µs   plain GCM ${(baseline / ROUNDS).toFixed(1).padStart(7)} µs   ratio ${(envelope / baseline).toFixed(2)}x`);
  }
}

async function readerCache(): Promise<void> {
  const server = await startSecretManagerServer({ port: 0, tickMs: 0 });
  const projectId = "demo-bench";
  const client = new SecretManagerServiceClient({ apiEndpoint: "127.0.0.1", port: server.port, sslCreds: credentials.createInsecure(), projectId });
  try {
    await client.createSecret({ parent: `projects/${projectId}`, secretId: "K", secret: { replication: { automatic: {} } } });
    await client.addSecretVersion({ parent: `projects/${projectId}/secrets/K`, payload: { data: randomBytes(32) } });
    const source = secretManagerSource({ client, projectId });
    const cached = createSecretReader({ source, clock: systemClock, audit: noAudit, actor: "bench" });
    const uncached = createSecretReader({ source, clock: systemClock, audit: quiet, actor: "bench", ttlMs: 0 });
    await cached.get("K", "1");
    await perOp(50, () => uncached.get("K", "1"));
    let hit = 0;
    let miss = 0;
    for (let r = 0; r < ROUNDS; r++) {
      hit += await perOp(20_000, () => cached.get("K", "1"));
      miss += await perOp(200, () => uncached.get("K", "1"));
    }
    console.log("\nKey reads (µs): from the reader's cache vs from Secret Manager (local server, real client, gRPC over loopback)");
    console.log(`  cache hit ${(hit / ROUNDS).toFixed(2)} µs   Secret Manager access ${(miss / ROUNDS).toFixed(0)} µs   the cache is ${(miss / hit).toFixed(0)}x cheaper`);
  } finally {
    await client.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  console.log(`bench/secrets.ts: ${ROUNDS} alternating rounds`);
  await fieldEncryption();
  await readerCache();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
