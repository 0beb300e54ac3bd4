/**
 * What OUR code does with an oversized REST body, before and after the declared-size check, in
 * one run. The app in front of the router is the body parser the Functions runtime uses
 * (express.json, 32 MiB cap, rawBody kept), so its cost is measured too and is the same in both
 * modes: only a load balancer rule in front of the function removes it (docs/security.md).
 *
 *   node --expose-gc --import tsx bench/body-limits.ts
 *
 * "before" shows the router a chunked body (no Content-Length: what it sees for a chunked upload,
 * and the path every oversized body took before the check); "after" leaves the header. Figures only; nothing is asserted.
 */
import type { AddressInfo } from "node:net";
import { request } from "node:http";
import express from "express";
import type { Request } from "firebase-functions/v2/https";
import { createRouter, type ApiKeyPrincipal } from "../functions/src/api/router";
import { restRoutes } from "../functions/src/app/operations";
import { UnauthenticatedError } from "../functions/src/lib/errors";

type Sample = { status: number; roundTripMs: number; parserMs: number; parserHeapMb: number; oursMs: number; oursHeapMb: number };
type Mode = "before" | "after";

const principal = { kind: "apiKey", keyId: "bench", workspaceId: "w", scopes: ["documents:write"] } as unknown as ApiKeyPrincipal;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function start(): Promise<{ url: string; close: () => void; last: () => Omit<Sample, "status" | "roundTripMs"> }> {
  const router = createRouter({
    routes: restRoutes(),
    services: {} as never,
    // The key lookup (a cached Firestore read in production) and the limiter (one Redis round trip).
    authenticate: async (key) => {
      await new Promise((r) => setTimeout(r, 2));
      if (key !== "rpl_bench") throw new UnauthenticatedError("Invalid key.");
      return principal;
    },
    guard: async () => {
      await new Promise((r) => setTimeout(r, 1));
      return { headers: {} };
    },
    reportFailure: async () => {},
  });
  let arrived = 0n;
  let arrivedHeap = 0;
  let measured = { parserMs: 0, parserHeapMb: 0, oursMs: 0, oursHeapMb: 0 };
  const app = express();
  app.use((req, _res, next) => {
    arrived = process.hrtime.bigint();
    arrivedHeap = process.memoryUsage().heapUsed;
    (req as unknown as { mode: Mode }).mode = req.headers["x-bench-mode"] === "before" ? "before" : "after";
    next();
  });
  app.use(express.json({ limit: "32mb", verify: (req, _res, buf) => void ((req as unknown as Request).rawBody = buf) }));
  app.use(async (req, res) => {
    if ((req as unknown as { mode: Mode }).mode === "before") {
      delete req.headers["content-length"];
      req.headers["transfer-encoding"] = "chunked";
    }
    const parsed = process.hrtime.bigint();
    const heap = process.memoryUsage().heapUsed;
    await router(req as unknown as Request, res);
    const done = process.hrtime.bigint();
    measured = { parserMs: Number(parsed - arrived) / 1e6, parserHeapMb: (heap - arrivedHeap) / 2 ** 20, oursMs: Number(done - parsed) / 1e6, oursHeapMb: (process.memoryUsage().heapUsed - heap) / 2 ** 20 };
  });
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close(), last: () => measured });
    });
  });
}

function send(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; ms: number; text: string }> {
  const began = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/workspaces/w/documents`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length), ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - began) / 1e6, text: Buffer.concat(chunks).toString().slice(0, 160) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `{"title":"T","text":[{},{},...]}` of about `bytes`: the shape that costs the most heap per byte. */
function emptyObjects(bytes: number): Buffer {
  const count = Math.floor((bytes - 40) / 3);
  return Buffer.from(`{"title":"T","text":[${"{},".repeat(count - 1)}{}]}`);
}

async function main(): Promise<void> {
  const server = await start();
  const cases: Array<[string, Buffer, Record<string, string>]> = [
    ["anonymous, 24 MiB of text", Buffer.from(JSON.stringify({ title: "T", text: "x".repeat(24 * 2 ** 20) })), {}],
    ["API key, 32 MiB of [{},...]", emptyObjects(32 * 2 ** 20 - 1024), { authorization: "Bearer rpl_bench" }],
  ];
  console.log("case | mode | status | round trip ms | runtime parser ms | parsed body heap MB | our code ms | our heap growth MB | answer");
  for (const [label, body, headers] of cases) {
    for (const mode of ["before", "after"] as const) {
      for (let run = 0; run < 3; run++) {
        gc();
        const { status, ms, text } = await send(server.url, body, { ...headers, "x-bench-mode": mode });
        const m = server.last();
        if (run === 2) console.log(`${label} | ${mode} | ${status} | ${ms.toFixed(0)} | ${m.parserMs.toFixed(0)} | ${m.parserHeapMb.toFixed(0)} | ${m.oursMs.toFixed(1)} | ${m.oursHeapMb.toFixed(1)} | ${text}`);
      }
    }
  }
  server.close();
}

void main();
