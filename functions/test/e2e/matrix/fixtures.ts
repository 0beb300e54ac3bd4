import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "@upstash/redis";
import { ipSubject } from "../../../src/lib/rate-limit/client-ip";
import { rateLimitKeys } from "../../../src/lib/rate-limit/keys";
import { functionUrl, signUpTestUser, type CallableHttpResult, type TestUser } from "../../helpers/emulators";
import { testDb } from "../../helpers/firestore";

export type { TestUser };

/** A user on the enterprise plan (set before any call, so no test waits on the free tier's limits). */
export async function enterpriseUser(prefix: string): Promise<TestUser> {
  const user = await signUpTestUser(prefix);
  await testDb().doc(`users/${user.uid}`).set({ plan: "enterprise" });
  return user;
}

/** One HTTP request, its body sent byte for byte as given, on a connection of its own. */
export function httpRequest(url: string, init: { method: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; text: string; contentType: string; requestId: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: { ...(init.headers ?? {}), Connection: "close" }, agent: false, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), contentType: String(res.headers["content-type"] ?? ""), requestId: String(res.headers["x-request-id"] ?? "") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${init.method} ${url} timed out`)));
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** Calls a callable over the callable protocol. */
export async function callCallable(name: string, data: unknown, idToken?: string): Promise<CallableHttpResult> {
  return callRaw(name, JSON.stringify({ data }), idToken);
}

/** Calls a callable and insists on success. */
export async function call<T>(name: string, data: unknown, user: TestUser): Promise<T> {
  const { status, body } = await callCallable(name, data, user.idToken);
  if (status !== 200) throw new Error(`${name} answered ${status}: ${JSON.stringify(body.error)}`);
  return body.result as T;
}

/** Sends a callable request whose body is exactly `text`, so keys like `__proto__` really arrive. */
export async function callRaw(name: string, text: string, idToken?: string): Promise<CallableHttpResult> {
  const res = await httpRequest(functionUrl(name), { method: "POST", headers: { "Content-Type": "application/json", ...(idToken ? { Authorization: `Bearer ${idToken}` } : {}) }, body: text });
  const raw = res.text;
  let body: CallableHttpResult["body"];
  try {
    body = JSON.parse(raw) as CallableHttpResult["body"];
  } catch {
    body = { error: { status: `NON_JSON(${res.status})`, message: raw.slice(0, 200) } };
  }
  return { status: res.status, body };
}

export const ALL_SCOPES = ["prompts:read", "prompts:write", "documents:read", "documents:write", "executions:run", "executions:read"] as const;

/** A workspace with one of everything, made through the callables. */
export type Fixture = {
  owner: TestUser;
  workspaceId: string;
  promptId: string;
  documentId: string;
  executionId: string;
  keyId: string;
  secret: string;
  /** A webhook endpoint subscribed to a type no matrix test causes, its delivered test event and a recovery job. */
  endpointId: string;
  deliveryId: string;
  recoveryId: string;
};

let receiverUrl: Promise<string> | undefined;

/**
 * A webhook receiver on 127.0.0.1 (the emulator allows loopback URLs) answering every request 204,
 * so a test delivery is final at once and nothing retries behind a test's back. Unref'd: it
 * never keeps the test process alive.
 */
export function webhookReceiverUrl(): Promise<string> {
  receiverUrl ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`));
    server.unref();
  });
  return receiverUrl;
}

export async function createFixture(owner: TestUser, name: string): Promise<Fixture> {
  const { id: workspaceId } = await call<{ id: string }>("createWorkspace", { name }, owner);
  await testDb().doc(`workspaces/${workspaceId}`).update({ plan: "enterprise" });
  const created = await call<{ prompt: { id: string } }>(
    "createPrompt",
    { workspaceId, name: `${name} prompt`, template: "Hello {{name}}", variables: [{ name: "name", type: "string" }] },
    owner,
  );
  const promptId = created.prompt.id;
  await call("createPromptVersion", { workspaceId, promptId, template: "Hi {{name}}!", variables: [{ name: "name", type: "string" }] }, owner);
  await call("setPromptLabel", { workspaceId, promptId, label: "production", version: 2 }, owner);
  const doc = await call<{ id: string }>("createDocument", { workspaceId, title: `${name} doc`, text: "# Parking\nVisitors park on level minus two." }, owner);
  const execution = await call<{ id: string }>("runExecution", { workspaceId, promptId, variables: { name: "Ada" } }, owner);
  const key = await call<{ apiKey: { keyId: string }; secret: string }>("createApiKey", { workspaceId, name: `${name} key`, scopes: [...ALL_SCOPES] }, owner);
  const url = await webhookReceiverUrl();
  const endpoint = await call<{ endpoint: { id: string } }>("createWebhookEndpoint", { workspaceId, url, eventTypes: ["webhook.endpoint_disabled"] }, owner);
  const test = await call<{ id: string }>("sendWebhookTest", { workspaceId, endpointId: endpoint.endpoint.id }, owner);
  const recovery = await call<{ id: string }>("recoverWebhookDeliveries", { workspaceId, since: new Date(Date.now() - 3_600_000).toISOString() }, owner);
  return {
    owner,
    workspaceId,
    promptId,
    documentId: doc.id,
    executionId: execution.id,
    keyId: key.apiKey.keyId,
    secret: key.secret,
    endpointId: endpoint.endpoint.id,
    deliveryId: test.id,
    recoveryId: recovery.id,
  };
}

export type RestResult = { status: number; body: unknown; contentType: string };

/** One REST request; `body` is sent as JSON unless it is already a string. */
export async function rest(method: string, path: string, options: { key?: string; body?: unknown; contentType?: string } = {}): Promise<RestResult> {
  const headers: Record<string, string> = {};
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
  const res = await httpRequest(`${functionUrl("api")}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = res.text;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the assertions say it should have been JSON
  }
  return { status: res.status, body, contentType: res.contentType };
}

/**
 * Every document under `workspaces/{id}` (recursively) plus the workspace's API keys, domain
 * events, webhook endpoints and deliveries, each with its update time: equal before and after
 * means nothing was written. Recovery jobs are left out: the scheduled sweeper advances them on
 * its own clock.
 */
export async function workspaceFingerprint(workspaceId: string): Promise<Record<string, string>> {
  const db = testDb();
  const out: Record<string, string> = {};
  const walk = async (ref: FirebaseFirestore.DocumentReference): Promise<void> => {
    const snap = await ref.get();
    if (snap.exists) out[ref.path] = snap.updateTime?.toMillis().toString() ?? "?";
    for (const collection of await ref.listCollections()) {
      for (const child of (await collection.get()).docs) await walk(child.ref);
    }
  };
  await walk(db.doc(`workspaces/${workspaceId}`));
  for (const name of ["apiKeys", "events", "webhookEndpoints", "webhookDeliveries"]) {
    for (const doc of (await db.collection(name).where("workspaceId", "==", workspaceId).get()).docs) out[doc.ref.path] = doc.updateTime.toMillis().toString();
  }
  // Background work changes these on its own time: outbox events when they are published (only
  // their presence is the request's), counters derived by event consumers (not the request's at all).
  for (const path of Object.keys(out)) {
    if (/\/(eventStats|webhookStats|webhookStreaks)\//.test(path)) delete out[path];
    else if (path.startsWith("events/")) out[path] = "present";
  }
  return out;
}

/**
 * Whether the product has counted failed requests against the loopback address (IPv4 or the
 * IPv6 /64 of `::1`): the abuse protection bans an IP after 10 failures in an hour.
 */
export async function loopbackFailuresCounted(): Promise<boolean> {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return false;
  const redis = new Redis({ url, token, retry: false, enableTelemetry: false });
  const keys = ["127.0.0.1", "::1"].map((ip) => rateLimitKeys.failures(ipSubject(ip)));
  return (await redis.exists(...keys)) > 0;
}

/**
 * Forgets the failures counted against users or keys (`user:<uid>`, `apiKey:<keyId>`): a signed-in
 * caller's invalid input counts against the caller, and 20 within 10 minutes ban it
 * (docs/rate-limiting.md). The bad-input matrix sends far more than that on purpose; each case
 * stays under the threshold and this runs after each, so the suite never bans its own callers.
 */
export async function forgetIdentityFailures(...idKeys: string[]): Promise<void> {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token || idKeys.length === 0) return;
  const redis = new Redis({ url, token, retry: false, enableTelemetry: false });
  await redis.del(...idKeys.map((idKey) => rateLimitKeys.identityFailures(idKey)));
}
