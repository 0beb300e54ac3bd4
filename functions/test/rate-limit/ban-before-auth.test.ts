import type { AddressInfo } from "node:net";
import express from "express";
import type { Request } from "firebase-functions/v2/https";
import { createApp } from "../../src/app/root";
import { manualClock } from "../../src/lib/clock";
import { rejectingChallengeVerifier, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { createLocalProvider } from "../../src/providers/local-provider";
import { testDb } from "../helpers/firestore";
import { upstashClient } from "./redis-env";

/**
 * The REST API as the composition root builds it, over HTTP, on the local stack (real Firestore
 * server, real Redis behind the Upstash endpoint). The key lookup is watched: a banned address
 * must not reach it.
 */
async function restStack(clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9))) {
  const app = createApp({
    db: testDb(),
    redis: upstashClient(),
    bucket: () => {
      throw new Error("No Cloud Storage in these tests.");
    },
    provider: () => createLocalProvider(),
    clock,
    redisTimeoutMs: 2_000,
    signUploads: false,
    rateLimit: { config: resolveRateLimitConfig({ challenge: { violations: 0 }, redis: { timeoutMs: 2_000 } }), verifier: rejectingChallengeVerifier, trustedProxyHops: 1 },
    publisher: { publish: async () => "unused" },
  });
  const authenticate = jest.spyOn(app.services.apiKeys, "authenticate");
  const router = app.restApi();
  const server = express();
  server.use(express.json());
  server.use((req, res) => void router(req as unknown as Request, res));
  const listening = await new Promise<ReturnType<typeof server.listen>>((resolve) => {
    const s = server.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const get = async (ip: string, key: string) => {
    const res = await fetch(`${url}/v1/workspace`, { headers: { "X-Forwarded-For": ip, Authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { error?: { details?: { reason?: string } } } };
  };
  return { clock, authenticate, get, close: () => listening.close() };
}

const badKey = () => `rpl_${"A".repeat(12)}_${Math.random().toString(36).slice(2)}`;
const clientIp = () => `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;

describe("REST: a banned address is refused before its key is looked up", () => {
  it("on the instance that banned it, no request of the address reaches the key lookup", async () => {
    const s = await restStack();
    try {
      const ip = clientIp();
      for (let i = 0; i < 9; i++) expect((await s.get(ip, badKey())).status).toBe(401);
      expect(await s.get(ip, badKey())).toMatchObject({ status: 403, body: { error: { details: { reason: "ip_banned" } } } });
      s.authenticate.mockClear();

      for (let i = 0; i < 5; i++) expect(await s.get(ip, badKey())).toMatchObject({ status: 403, body: { error: { details: { reason: "ip_banned" } } } });

      expect(s.authenticate).not.toHaveBeenCalled();
      expect((await s.get(clientIp(), badKey())).status).toBe(401);
    } finally {
      s.close();
    }
  });

  it("on another instance, at most its first request of the address reaches the key lookup", async () => {
    const banning = await restStack();
    const other = await restStack(banning.clock);
    try {
      const ip = clientIp();
      for (let i = 0; i < 10; i++) await banning.get(ip, badKey());

      for (let i = 0; i < 5; i++) expect(await other.get(ip, badKey())).toMatchObject({ status: 403, body: { error: { details: { reason: "ip_banned" } } } });

      expect(other.authenticate.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      banning.close();
      other.close();
    }
  });
});
