import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord, timestampField } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { storedAuditSchema } from "./secret-audit-log";
import { SECRET_ACCESS_BASELINE, SECRET_ALERTS, SECRET_AUDIT } from "./secret-catalog";

/**
 * The scheduled look at the audit trail: since the last check, accesses per (secret, function)
 * are compared with a baseline kept per secret. Alerts (`secretAlerts`, and a `secret_access_anomaly`
 * error log that a log-based alert policy pages on):
 * - `new-accessor`: a function read a secret it never read before (once the baseline exists: the
 *   first check only learns);
 * - `spike`: more reads in the window than `spikeFactor` × the usual count, and at least `minSpike`;
 * - `errors`: failed reads (a revoked permission, a disabled version still in use).
 * The usual count is an exponentially weighted average per window, updated after each check.
 */
const AUDIT_SINCE = queryShape({ name: "secrets.auditSince", collectionGroup: SECRET_AUDIT, range: "at", orderBy: [["at", "asc"]] });

const baselineSchema = z.object({
  secretId: z.string(),
  accessors: z.record(z.string(), z.object({ firstSeen: timestampField, usual: z.number().nonnegative() })),
  updatedAt: timestampField,
});
const checkStateSchema = z.object({ lastCheckedAt: timestampField });

export type AnomalySettings = {
  /** @default 10 */
  spikeFactor: number;
  /** @default 50 */
  minSpike: number;
  /** @default 5 */
  minErrors: number;
  /** Reads looked at per run (the rest waits for the next run). @default 5000 */
  maxEntries: number;
  /** The window of the first run. @default 3_600_000 */
  firstWindowMs: number;
};

export type SecretAlert = { type: "new-accessor" | "spike" | "errors"; secretId: string; actor: string; count: number; usual: number | null };

const CHECK_STATE = `${SECRET_ACCESS_BASELINE}/_check`;

export function createAccessAnomalyCheck(deps: { db: Pick<Firestore, "collection" | "doc" | "batch">; clock: Clock; settings?: Partial<AnomalySettings> }) {
  const settings: AnomalySettings = { spikeFactor: 10, minSpike: 50, minErrors: 5, maxEntries: 5000, firstWindowMs: 3_600_000, ...deps.settings };
  const { db, clock } = deps;
  return {
    async run(): Promise<SecretAlert[]> {
      const now = clock.now();
      const state = readRecord(await db.doc(CHECK_STATE).get(), checkStateSchema, { kind: "secret access check state" });
      const since = state?.lastCheckedAt.toMillis() ?? now - settings.firstWindowMs;
      const snap = await runQuery(AUDIT_SINCE, db.collection(SECRET_AUDIT).where("at", ">", Timestamp.fromMillis(since)).where("at", "<=", Timestamp.fromMillis(now)).orderBy("at", "asc").limit(settings.maxEntries));
      const entries = snap.docs.map((doc) => requireRecord(doc, storedAuditSchema, { kind: "secret audit entry" })).filter((e) => e.kind === "access");
      const until = snap.size === settings.maxEntries ? entries[entries.length - 1]!.at.toMillis() : now;
      const counts = new Map<string, { secretId: string; actor: string; reads: number; errors: number }>();
      for (const e of entries) {
        const key = `${e.secretId}\u0000${e.actor}`;
        const c = counts.get(key) ?? { secretId: e.secretId, actor: e.actor, reads: 0, errors: 0 };
        if (e.outcome === "error") c.errors++;
        else c.reads++;
        counts.set(key, c);
      }
      const alerts: SecretAlert[] = [];
      const batch = db.batch();
      for (const secretId of new Set([...counts.values()].map((c) => c.secretId))) {
        const ref = db.doc(`${SECRET_ACCESS_BASELINE}/${secretId}`);
        const baseline = readRecord(await ref.get(), baselineSchema, { kind: "secret access baseline" });
        const accessors = { ...(baseline?.accessors ?? {}) };
        for (const c of [...counts.values()].filter((x) => x.secretId === secretId)) {
          const known = accessors[c.actor];
          if (baseline && !known) alerts.push({ type: "new-accessor", secretId, actor: c.actor, count: c.reads + c.errors, usual: null });
          if (known && c.reads >= settings.minSpike && c.reads > settings.spikeFactor * Math.max(known.usual, 1)) alerts.push({ type: "spike", secretId, actor: c.actor, count: c.reads, usual: known.usual });
          if (c.errors >= settings.minErrors) alerts.push({ type: "errors", secretId, actor: c.actor, count: c.errors, usual: null });
          accessors[c.actor] = { firstSeen: known?.firstSeen ?? Timestamp.fromMillis(now), usual: known ? 0.8 * known.usual + 0.2 * c.reads : c.reads };
        }
        batch.set(ref, { secretId, accessors, updatedAt: Timestamp.fromMillis(now) });
      }
      for (const alert of alerts) {
        batch.create(db.collection(SECRET_ALERTS).doc(), { ...alert, windowStart: Timestamp.fromMillis(since), windowEnd: Timestamp.fromMillis(until), at: Timestamp.fromMillis(now) });
        logger.error("secret_access_anomaly", { ...alert, alert: true });
      }
      batch.set(db.doc(CHECK_STATE), { lastCheckedAt: Timestamp.fromMillis(until) });
      await batch.commit();
      return alerts;
    },
  };
}
