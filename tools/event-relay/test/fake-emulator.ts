/**
 * A stand-in for the Functions emulator's hub with its real wire behaviour: `/backends` is built
 * by firebase-tools' own emulatedFunctionsFromEndpoints + toBackendInfo from the fixtures'
 * manifests; the trigger route decodes requests as functionsEmulator.js (base64 protobuf bodies)
 * and functionsEmulatorRuntime.js (binary CloudEvent headers → event, else structured JSON) do,
 * then calls the REAL firebase-functions handler, answering 200 / 500 as the runtime does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Shared = {
  emulatedFunctionsFromEndpoints(endpoints: unknown[]): Def[];
  toBackendInfo(e: unknown, defs: Def[]): unknown;
  getSignatureType(def: Def): "http" | "cloudevent" | "event";
};
type Def = { id: string; name: string; entryPoint: string; eventTrigger?: unknown; schedule?: unknown };
type CloudEventFn = (event: Record<string, unknown>) => unknown;
type HttpFn = (req: unknown, res: unknown) => Promise<void>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared: Shared = require("firebase-tools/lib/emulator/functionsEmulatorShared");

export type FakeEmulator = { url: string; requests: number; setGeneration(n: number): void; close(): Promise<void> };

export async function startFakeEmulator(project: string, functionsDir: string, env: Record<string, string>): Promise<FakeEmulator> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod: Record<string, { __endpoint?: Record<string, unknown> }> = require(functionsDir);
  const endpoints = Object.entries(mod)
    .filter(([, fn]) => fn.__endpoint)
    .map(([name, fn]) => {
      const endpoint = { ...fn.__endpoint } as Record<string, unknown>;
      const region = Array.isArray(endpoint.region) ? String(endpoint.region[0]) : "us-central1";
      return { ...endpoint, id: name, entryPoint: name, region, project, codebase: "default" };
    });
  const defs = shared.emulatedFunctionsFromEndpoints(endpoints);
  const backendInfo = shared.toBackendInfo({ functionsDir, env, secretEnv: [], codebase: "default" }, defs);
  let generation = 0;
  const state = { requests: 0 };

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? "/", "http://fake");
      if (req.method === "GET" && url.pathname === "/backends") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ backends: [backendInfo] }));
        return;
      }
      const route = /^\/functions\/projects\/([^/]+)\/triggers\/([^/]+)$/.exec(url.pathname);
      const keyOf = (d: Def): string => (d.eventTrigger ? `${d.id}-${generation}` : d.id);
      const def = route ? defs.find((d) => keyOf(d) === decodeURIComponent(route[2])) : undefined;
      if (!route || req.method !== "POST" || !def) {
        res.writeHead(404).end(`Function ${route?.[2]} does not exist, valid functions are: ${defs.map(keyOf).join(", ")}`);
        return;
      }
      state.requests++;
      const fn = mod[def.entryPoint] as unknown;
      try {
        if (shared.getSignatureType(def) === "http") {
          await runHttp(fn as HttpFn, req, raw, res);
          return;
        }
        let body = raw;
        if (String(req.headers["content-type"]).includes("application/protobuf")) body = Buffer.from(raw.toString(), "base64");
        await (fn as CloudEventFn)(toEvent(req, body));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "acknowledged" }));
      } catch (err) {
        res.writeHead(500).end(err instanceof Error ? err.message : String(err));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    setGeneration: (n) => (generation = n),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** EventUtils.isBinaryCloudEvent / extractBinaryCloudEventContext, with body-parser's decoding. */
function toEvent(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const h = req.headers;
  if (!(h["ce-type"] && h["ce-specversion"] && h["ce-source"] && h["ce-id"])) return JSON.parse(body.toString());
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(h)) if (name.startsWith("ce-")) event[name.slice(3)] = value;
  const type = String(h["content-type"] ?? "");
  event.data = type.includes("application/json") ? JSON.parse(body.toString()) : type.startsWith("text/") ? body.toString() : body;
  return event;
}

/** The express req/res surface firebase-functions' onSchedule wrapper uses. */
async function runHttp(fn: HttpFn, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const expressReq = { headers: req.headers, method: req.method, body, header: (name: string) => req.headers[name.toLowerCase()] };
  const expressRes = {
    status(code: number) {
      res.statusCode = code;
      return expressRes;
    },
    send(payload?: unknown) {
      res.end(payload === undefined ? "" : String(payload));
    },
  };
  await fn(expressReq, expressRes);
}
