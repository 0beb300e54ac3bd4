import { Timestamp } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { runQuery } from "../lib/firestore-queries";
import { readRecord } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { ALERT_RULES, runbookOf, type AlertRule } from "./alert-rules";
import type { AlertNotifier } from "./alert-notifier";
import type { Evaluation } from "./alert-evaluator";
import { MONITORING_QUERIES } from "./monitoring-queries";
import { ALERT_HISTORY, ALERTS, alertRecord, type AlertRecord, type MonitoringDb } from "./monitoring-records";

export type Transition = "opened" | "resolved" | "repeated" | "unchanged";

export type AlertStateDeps = { db: MonitoringDb; clock: Clock; notify: AlertNotifier; rules?: AlertRule[] };

/**
 * The alert state machine, one document per rule (`alerts/{ruleId}`), every transition in
 * `alertHistory`. Firing while resolved (or never seen) opens it and notifies; firing while open
 * only counts an occurrence (de-duplicated, no notification); not firing while open resolves it
 * and notifies. Transitions run in a transaction, so the minute evaluation and the critical
 * path (or two overlapping runs) cannot open one alert twice. Notifications go out after the
 * commit; `notified` records the status last delivered, and `retryNotifications` re-sends
 * any transition whose notification failed.
 */
export function createAlertState({ db, clock, notify, rules = ALERT_RULES }: AlertStateDeps) {
  const ruleOf = (id: string) => rules.find((r) => r.id === id);

  async function transition(ruleId: string, firing: boolean, fields: { value: number | null; threshold: number | null; summary: string; source: "evaluation" | "signal" }): Promise<{ transition: Transition; alert: AlertRecord | null }> {
    const rule = ruleOf(ruleId);
    if (!rule) throw new Error(`Unknown alert rule ${ruleId}`);
    const ref = db.doc(`${ALERTS}/${ruleId}`);
    const now = Timestamp.fromMillis(clock.now());
    return db.runTransaction(async (tx) => {
      const current = readRecord(await tx.get(ref), alertRecord, { kind: "alert" });
      const history = (event: Transition, alert: AlertRecord) =>
        tx.set(db.collection(ALERT_HISTORY).doc(), { ruleId, event, at: now, severity: alert.severity, value: alert.value, threshold: alert.threshold, summary: alert.summary, source: fields.source });
      if (firing && current?.status === "open") {
        const alert: AlertRecord = { ...current, lastSeenAt: now, value: fields.value, summary: fields.summary, occurrences: current.occurrences + 1 };
        tx.set(ref, alert);
        return { transition: "repeated" as const, alert };
      }
      if (firing) {
        const alert: AlertRecord = {
          ruleId,
          status: "open",
          severity: rule.severity,
          summary: fields.summary,
          value: fields.value,
          threshold: fields.threshold,
          source: fields.source,
          openedAt: now,
          lastSeenAt: now,
          resolvedAt: null,
          notified: current?.notified ?? null,
          occurrences: 1,
          runbook: runbookOf(rule),
        };
        tx.set(ref, alert);
        history("opened", alert);
        return { transition: "opened" as const, alert };
      }
      if (current?.status === "open") {
        const alert: AlertRecord = { ...current, status: "resolved", resolvedAt: now, value: fields.value };
        tx.set(ref, alert);
        history("resolved", alert);
        return { transition: "resolved" as const, alert };
      }
      return { transition: "unchanged" as const, alert: current };
    });
  }

  async function deliver(alert: AlertRecord): Promise<void> {
    const ok = await notify({ ruleId: alert.ruleId, status: alert.status, severity: alert.severity, summary: alert.summary, runbook: alert.runbook, at: clock.now(), occurrences: alert.occurrences }).catch(() => false);
    if (!ok) return;
    // Only if nothing moved it meanwhile: a later transition notifies for itself.
    await db.runTransaction(async (tx) => {
      const ref = db.doc(`${ALERTS}/${alert.ruleId}`);
      const now = readRecord(await tx.get(ref), alertRecord, { kind: "alert" });
      if (now && now.status === alert.status) tx.update(ref, { notified: alert.status });
    });
  }

  /** Applies one evaluation (or signal); notifies on open and resolve. */
  async function apply(ruleId: string, firing: boolean, fields: Parameters<typeof transition>[2]): Promise<Transition> {
    const result = await transition(ruleId, firing, fields);
    if ((result.transition === "opened" || result.transition === "resolved") && result.alert) {
      logger.warn(result.transition === "opened" ? "alert_opened" : "alert_resolved", { ruleId, severity: result.alert.severity, value: result.alert.value, source: fields.source });
      await deliver(result.alert);
    }
    return result.transition;
  }

  return {
    apply,
    /** The minute evaluation's results; signal rules resolve here once quiet. */
    async applyEvaluations(evaluations: Evaluation[]): Promise<Record<string, Transition>> {
      const out: Record<string, Transition> = {};
      for (const e of evaluations) out[e.ruleId] = await apply(e.ruleId, e.firing, { value: e.value, threshold: e.threshold, summary: e.summary, source: "evaluation" });
      const open = await runQuery(MONITORING_QUERIES.openAlerts, db.collection(ALERTS).where("status", "==", "open"));
      for (const doc of open.docs) {
        const alert = readRecord(doc, alertRecord, { kind: "alert" });
        const rule = alert ? ruleOf(alert.ruleId) : undefined;
        if (!alert || rule?.kind !== "signal") continue;
        if (clock.now() - alert.lastSeenAt.toMillis() >= rule.quietMs) out[alert.ruleId] = await apply(alert.ruleId, false, { value: null, threshold: null, summary: alert.summary, source: "evaluation" });
      }
      return out;
    },
    /** Re-sends transitions whose notification did not go through. */
    async retryNotifications(): Promise<number> {
      const snap = await runQuery(MONITORING_QUERIES.allAlerts, db.collection(ALERTS));
      let sent = 0;
      for (const doc of snap.docs) {
        const alert = readRecord(doc, alertRecord, { kind: "alert" });
        if (!alert || alert.notified === alert.status) continue;
        await deliver(alert);
        sent++;
      }
      return sent;
    },
    async current(): Promise<AlertRecord[]> {
      const snap = await runQuery(MONITORING_QUERIES.allAlerts, db.collection(ALERTS));
      return snap.docs.map((doc) => readRecord(doc, alertRecord, { kind: "alert" })).filter((a): a is AlertRecord => a !== null);
    },
  };
}

export type AlertState = ReturnType<typeof createAlertState>;
