import { randomUUID } from "node:crypto";
import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { AccessControl } from "../identity/access-control";
import { actorUid, type Principal } from "../identity/principal";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, NotFoundError, ValidationError } from "../lib/errors";
import { runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import { classifyAddress, isBlockedHostname } from "./address-policy";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";
import { encodeBody } from "./webhook-catalog";
import type { WebhookDispatcher } from "./webhook-dispatcher";
import { WEBHOOK_QUERIES } from "./webhook-queries";
import { storedDeliverySchema, storedEndpointSchema, storedRecoverySchema, WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_RECOVERIES, type StoredEndpoint, type StoredRecovery } from "./webhook-records";
import { MAX_ENDPOINTS_PER_WORKSPACE, type CreateEndpointInput, type DeliveryView, type EndpointStatsView, type EndpointView, type RecoveryView, type UpdateEndpointInput } from "./webhook-schemas";
import { generateWebhookSecret, type SecretBox } from "./webhook-signing";
import type { WebhookSweeper } from "./webhook-sweeper";
import { readEndpointStats } from "./webhook-stats";
import { endpointState, toDeliveryView, toEndpointView, toRecoveryView } from "./webhook-views";
import { deleteWithTombstone } from "../backups/tombstones";

export type WebhookServiceDeps = {
  db: Pick<Firestore, "collection" | "doc" | "runTransaction" | "batch">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  secrets: SecretBox;
  dispatcher: Pick<WebhookDispatcher, "sendTest">;
  sweeper: Pick<WebhookSweeper, "replay">;
  /** Plain http and loopback URLs are accepted (the emulator only). */
  allowLocalUrls: boolean;
  random?: (size: number) => Buffer;
};

/** How long a rotated-out secret keeps signing. @default 24 h */
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
const DEFAULT_LIMITS = { perMinute: 600, concurrency: 10 };
const ENDPOINT = { kind: "webhook endpoint" };
const DELIVERY = { kind: "webhook delivery" };

/** Endpoint management for workspace admins (`webhooks:manage`); every read checks the record's workspace. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, clock, access } = deps;
  const ts = (ms: number) => Timestamp.fromMillis(ms);
  const endpointRef = (id: string) => db.doc(`${WEBHOOK_ENDPOINTS}/${id}`);

  /** Refuses URLs that could never be delivered to, early (each attempt checks the resolved address again). */
  function checkUrl(url: string): void {
    const parsed = new URL(url);
    const refuse = (message: string) => new ValidationError(`Invalid url: ${message}`, [{ path: "url", message }]);
    if (parsed.protocol !== "https:" && !deps.allowLocalUrls) throw refuse("Must be an https URL");
    if (parsed.username || parsed.password) throw refuse("Must not carry credentials");
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    const cls = classifyAddress(host);
    if (deps.allowLocalUrls && (cls === "loopback" || host === "localhost")) return;
    if (isBlockedHostname(host) || (cls !== "invalid" && cls !== "public")) throw refuse("Must be a public host");
  }

  async function load(principal: Principal, workspaceId: string, endpointId: string): Promise<StoredEndpoint> {
    await access.require(principal, workspaceId, "webhooks:manage");
    const endpoint = readRecord(await endpointRef(endpointId).get(), storedEndpointSchema, ENDPOINT);
    if (!endpoint || endpoint.workspaceId !== workspaceId) throw new NotFoundError("Webhook endpoint not found.");
    return endpoint;
  }

  async function mutate(principal: Principal, workspaceId: string, endpointId: string, change: (endpoint: StoredEndpoint, now: number) => Partial<StoredEndpoint>): Promise<EndpointView> {
    await access.require(principal, workspaceId, "webhooks:manage");
    return db.runTransaction(async (tx) => {
      const endpoint = readRecord(await tx.get(endpointRef(endpointId)), storedEndpointSchema, ENDPOINT);
      if (!endpoint || endpoint.workspaceId !== workspaceId) throw new NotFoundError("Webhook endpoint not found.");
      const now = clock.now();
      const updates = { ...change(endpoint, now), updatedAt: ts(now) };
      tx.update(endpointRef(endpointId), updates);
      return toEndpointView(endpointId, { ...endpoint, ...updates }, now);
    });
  }

  async function loadDelivery(principal: Principal, workspaceId: string, deliveryId: string) {
    await access.require(principal, workspaceId, "webhooks:manage");
    const delivery = readRecord(await db.doc(`${WEBHOOK_DELIVERIES}/${deliveryId}`).get(), storedDeliverySchema, DELIVERY);
    if (!delivery || delivery.workspaceId !== workspaceId) throw new NotFoundError("Webhook delivery not found.");
    return delivery;
  }

  return {
    /** Creates an endpoint; its signing secret is in the answer and never again. */
    async create(principal: Principal, input: CreateEndpointInput): Promise<{ endpoint: EndpointView; secret: string }> {
      await access.require(principal, input.workspaceId, "webhooks:manage");
      checkUrl(input.url);
      const existing = await runQuery(WEBHOOK_QUERIES.endpointsOfWorkspace, db.collection(WEBHOOK_ENDPOINTS).where("workspaceId", "==", input.workspaceId).count());
      if (existing.data().count >= MAX_ENDPOINTS_PER_WORKSPACE) throw new FailedPreconditionError(`A workspace may have at most ${MAX_ENDPOINTS_PER_WORKSPACE} webhook endpoints.`);
      const ref = db.collection(WEBHOOK_ENDPOINTS).doc();
      const secret = generateWebhookSecret(deps.random);
      const sealed = await deps.secrets.seal(secret, ref.id);
      const now = ts(clock.now());
      const stored: StoredEndpoint = {
        workspaceId: input.workspaceId,
        url: input.url,
        description: input.description ?? "",
        eventTypes: input.eventTypes,
        enabled: input.enabled ?? true,
        disabledReason: input.enabled === false ? "manual" : null,
        secrets: [{ id: randomUUID(), sealed, createdAt: now, expiresAt: null }],
        headers: input.headers ?? {},
        retry: { ...DEFAULT_RETRY_POLICY, ...input.retry },
        limits: { ...DEFAULT_LIMITS, ...input.limits },
        health: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: null, lastFailureAt: null },
        createdBy: actorUid(principal),
        createdAt: now,
        updatedAt: now,
      };
      await ref.create(stored);
      return { endpoint: toEndpointView(ref.id, stored, clock.now()), secret };
    },

    async list(principal: Principal, workspaceId: string): Promise<EndpointView[]> {
      await access.require(principal, workspaceId, "webhooks:manage");
      const snap = await runQuery(WEBHOOK_QUERIES.endpointsOfWorkspace, db.collection(WEBHOOK_ENDPOINTS).where("workspaceId", "==", workspaceId).limit(MAX_ENDPOINTS_PER_WORKSPACE * 2));
      return snap.docs.map((doc) => toEndpointView(doc.id, requireRecord(doc, storedEndpointSchema, ENDPOINT), clock.now())).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    async get(principal: Principal, workspaceId: string, endpointId: string): Promise<EndpointView> {
      return toEndpointView(endpointId, await load(principal, workspaceId, endpointId), clock.now());
    },

    async update(principal: Principal, input: UpdateEndpointInput): Promise<EndpointView> {
      if (input.url) checkUrl(input.url);
      return mutate(principal, input.workspaceId, input.endpointId, (endpoint) => ({
        ...(input.url ? { url: input.url } : {}),
        ...(input.eventTypes ? { eventTypes: input.eventTypes } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.headers ? { headers: input.headers } : {}),
        ...(input.retry ? { retry: { ...endpoint.retry, ...input.retry } } : {}),
        ...(input.limits ? { limits: { ...endpoint.limits, ...input.limits } } : {}),
      }));
    },

    /** A new secret signs from now on; the previous one keeps signing too until the grace period ends. */
    async rotateSecret(principal: Principal, workspaceId: string, endpointId: string, graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS): Promise<{ endpoint: EndpointView; secret: string }> {
      const secret = generateWebhookSecret(deps.random);
      const sealed = await deps.secrets.seal(secret, endpointId);
      const endpoint = await mutate(principal, workspaceId, endpointId, (stored, now) => {
        const live = stored.secrets.filter((s) => !s.expiresAt || s.expiresAt.toMillis() > now);
        const aged = live.map((s) => ({ ...s, expiresAt: s.expiresAt ?? ts(now + graceSeconds * 1000) })).filter((s) => s.expiresAt.toMillis() > now);
        // At most a few secrets sign at once: each rotation during a grace period drops the oldest.
        return { secrets: [{ id: randomUUID(), sealed, createdAt: ts(now), expiresAt: null }, ...aged.slice(0, 2)] };
      });
      return { endpoint, secret };
    },

    /** Ends the grace period now: only the current secret signs. */
    async revokeOldSecrets(principal: Principal, workspaceId: string, endpointId: string): Promise<EndpointView> {
      return mutate(principal, workspaceId, endpointId, (stored) => ({ secrets: stored.secrets.filter((s) => !s.expiresAt).slice(0, 1) }));
    },

    /** Enabling clears the failure streak; held deliveries are sent again with `recoverWebhookDeliveries`. */
    async setEnabled(principal: Principal, workspaceId: string, endpointId: string, enabled: boolean): Promise<EndpointView> {
      return mutate(principal, workspaceId, endpointId, (stored) =>
        enabled ? { enabled: true, disabledReason: null, health: { ...stored.health, consecutiveFailures: 0, failingSince: null } } : { enabled: false, disabledReason: "manual" },
      );
    },

    /** Deletes the endpoint; its pending deliveries are cancelled when next looked at, its log stays. */
    async remove(principal: Principal, workspaceId: string, endpointId: string): Promise<{ deleted: true }> {
      await load(principal, workspaceId, endpointId);
      const batch = db.batch();
      deleteWithTombstone(batch, endpointRef(endpointId), clock);
      await batch.commit();
      return { deleted: true };
    },

    /** Sends a `webhook.test` event now (even to a disabled endpoint) and answers with its first attempt. */
    async sendTest(principal: Principal, workspaceId: string, endpointId: string): Promise<DeliveryView> {
      const endpoint = await load(principal, workspaceId, endpointId);
      const eventId = `test-${randomUUID()}`;
      const payload = encodeBody("webhook.test", new Date(clock.now()).toISOString(), { workspaceId, endpointId, message: "This is a test event." });
      const id = await deps.dispatcher.sendTest(endpointId, endpoint, payload, eventId);
      return toDeliveryView(id, requireRecord(await db.doc(`${WEBHOOK_DELIVERIES}/${id}`).get(), storedDeliverySchema, DELIVERY), true);
    },

    async listDeliveries(principal: Principal, input: { workspaceId: string; endpointId: string; state?: DeliveryView["state"]; limit?: number; cursor?: string }): Promise<Page<DeliveryView>> {
      await load(principal, input.workspaceId, input.endpointId);
      const limit = input.limit ?? 25;
      let query = db.collection(WEBHOOK_DELIVERIES).where("endpointId", "==", input.endpointId);
      if (input.state) query = query.where("state", "==", input.state);
      query = query.orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc");
      if (input.cursor) {
        const [millis, id] = decodeCursor(input.cursor, 2);
        if (typeof millis !== "number" || typeof id !== "string") throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "Invalid cursor" }]);
        query = query.startAfter(ts(millis), id);
      }
      const snap = await runQuery(WEBHOOK_QUERIES.deliveriesOfEndpoint, query.limit(limit + 1));
      const docs = snap.docs.slice(0, limit);
      const items = docs.map((doc) => toDeliveryView(doc.id, requireRecord(doc, storedDeliverySchema, DELIVERY), false));
      const last = docs[docs.length - 1];
      const nextCursor = snap.size > limit && last ? encodeCursor([requireRecord(last, storedDeliverySchema, DELIVERY).createdAt.toMillis(), last.id]) : null;
      return { items, nextCursor };
    },

    /** One delivery with its attempt log (status, duration, first KiB of each answer). */
    async getDelivery(principal: Principal, workspaceId: string, deliveryId: string): Promise<DeliveryView> {
      return toDeliveryView(deliveryId, await loadDelivery(principal, workspaceId, deliveryId), true);
    },

    /** Sends a finished, dead or held delivery again (a new round of attempts), with the same webhook-id. */
    async replay(principal: Principal, workspaceId: string, deliveryId: string): Promise<DeliveryView> {
      const before = await loadDelivery(principal, workspaceId, deliveryId);
      if (!(await deps.sweeper.replay(deliveryId))) throw new FailedPreconditionError(`The delivery is ${before.state}; only delivered, dead, held or cancelled deliveries are replayed.`);
      return toDeliveryView(deliveryId, await loadDelivery(principal, workspaceId, deliveryId), false);
    },

    /** Starts a background job re-sending every dead or held delivery created since `since` (the sweeper runs it). */
    async startRecovery(principal: Principal, input: { workspaceId: string; endpointId?: string; since: string }): Promise<RecoveryView> {
      if (input.endpointId) await load(principal, input.workspaceId, input.endpointId);
      else await access.require(principal, input.workspaceId, "webhooks:manage");
      const since = Date.parse(input.since);
      if (since > clock.now()) throw new ValidationError("Invalid since: must be in the past", [{ path: "since", message: "Must be in the past" }]);
      const now = ts(clock.now());
      const job: StoredRecovery = { workspaceId: input.workspaceId, endpointId: input.endpointId ?? null, since: ts(since), until: now, status: "running", cursor: null, scanned: 0, requeued: 0, leaseUntil: null, createdBy: actorUid(principal), createdAt: now, updatedAt: now };
      const ref = db.collection(WEBHOOK_RECOVERIES).doc();
      await ref.create(job);
      return toRecoveryView(ref.id, job);
    },

    async getRecovery(principal: Principal, workspaceId: string, jobId: string): Promise<RecoveryView> {
      await access.require(principal, workspaceId, "webhooks:manage");
      const job = readRecord(await db.doc(`${WEBHOOK_RECOVERIES}/${jobId}`).get(), storedRecoverySchema, { kind: "webhook recovery" });
      if (!job || job.workspaceId !== workspaceId) throw new NotFoundError("Recovery job not found.");
      return toRecoveryView(jobId, job);
    },

    /** Attempts, successes, failures by reason, success rate and latency per endpoint and event type over `days`. */
    async stats(principal: Principal, input: { workspaceId: string; endpointId?: string; days?: number }): Promise<EndpointStatsView[]> {
      await access.require(principal, input.workspaceId, "webhooks:manage");
      const fromDay = new Date(clock.now() - ((input.days ?? 7) - 1) * 86_400_000).toISOString().slice(0, 10);
      const endpoints = input.endpointId
        ? [{ id: input.endpointId, data: await load(principal, input.workspaceId, input.endpointId) }]
        : (await runQuery(WEBHOOK_QUERIES.endpointsOfWorkspace, db.collection(WEBHOOK_ENDPOINTS).where("workspaceId", "==", input.workspaceId).limit(MAX_ENDPOINTS_PER_WORKSPACE * 2))).docs.map((doc) => ({ id: doc.id, data: requireRecord(doc, storedEndpointSchema, ENDPOINT) }));
      return Promise.all(endpoints.map(async ({ id, data }) => ({ endpointId: id, state: endpointState(data), ...(await readEndpointStats(db, id, fromDay)) })));
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
