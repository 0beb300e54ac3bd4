import type { Timestamp } from "firebase-admin/firestore";
import type { DeliveryView, EndpointView, RecoveryView } from "./webhook-schemas";
import { webhookIdOf, type StoredDelivery, type StoredEndpoint, type StoredRecovery } from "./webhook-records";

const iso = (value: Timestamp | null | undefined) => (value ? value.toDate().toISOString() : null);

export function endpointState(endpoint: StoredEndpoint): EndpointView["state"] {
  if (!endpoint.enabled) return "disabled";
  return endpoint.health.consecutiveFailures > 0 ? "failing" : "healthy";
}

export function toEndpointView(id: string, endpoint: StoredEndpoint, now: number): EndpointView {
  return {
    id,
    workspaceId: endpoint.workspaceId,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    headerNames: Object.keys(endpoint.headers),
    secrets: endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt.toMillis() > now).map((s) => ({ id: s.id, createdAt: iso(s.createdAt) ?? "", expiresAt: iso(s.expiresAt) })),
    retry: endpoint.retry,
    limits: endpoint.limits,
    state: endpointState(endpoint),
    consecutiveFailures: endpoint.health.consecutiveFailures,
    failingSince: iso(endpoint.health.failingSince),
    lastSuccessAt: iso(endpoint.health.lastSuccessAt),
    lastFailureAt: iso(endpoint.health.lastFailureAt),
    createdAt: iso(endpoint.createdAt) ?? "",
    updatedAt: iso(endpoint.updatedAt) ?? "",
  };
}

export function toDeliveryView(id: string, delivery: StoredDelivery, withAttempts: boolean): DeliveryView {
  return {
    id,
    webhookId: webhookIdOf(id),
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    state: delivery.state,
    totalAttempts: delivery.totalAttempts,
    rounds: delivery.rounds,
    nextAttemptAt: delivery.state === "scheduled" ? iso(delivery.dueAt) : null,
    lastReason: delivery.lastReason,
    createdAt: iso(delivery.createdAt) ?? "",
    deliveredAt: iso(delivery.deliveredAt),
    test: delivery.test,
    ...(withAttempts ? { attempts: delivery.attempts.map((a) => ({ ...a, at: iso(a.at) ?? "" })) } : {}),
  };
}

export function toRecoveryView(id: string, job: StoredRecovery): RecoveryView {
  return {
    id,
    workspaceId: job.workspaceId,
    endpointId: job.endpointId,
    since: iso(job.since) ?? "",
    status: job.status,
    scanned: job.scanned,
    requeued: job.requeued,
    createdAt: iso(job.createdAt) ?? "",
    updatedAt: iso(job.updatedAt) ?? "",
  };
}
