import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { BACKUPS } from "../backups/backups-records";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { COMPLIANCE_REPORTS, DATA_REQUESTS, PURGE_JOBS } from "./compliance-records";
import { DSR_DEADLINE_DAYS } from "./data-requests";

/**
 * The monthly compliance report: data subject requests received and completed (durations
 * against the 30-day deadline), retention purges by class, backups verified, secret rotations.
 * Cron on the 1st of each month reports the month before; stored as `complianceReports/{yyyy-mm}`
 * and as `compliance/reports/{yyyy-mm}.json` in the default bucket, downloaded with a signed URL
 * (`scripts/compliance.ts report`).
 */
export const REPORT_QUERIES = {
  requestsReceived: queryShape({ name: "compliance.requestsReceived", collectionGroup: DATA_REQUESTS, range: "requestedAt" }),
  requestsCompleted: queryShape({ name: "compliance.requestsCompleted", collectionGroup: DATA_REQUESTS, range: "completedAt" }),
  purgesCompleted: queryShape({ name: "compliance.purgesCompleted", collectionGroup: PURGE_JOBS, range: "completedAt" }),
  backupsStarted: queryShape({ name: "compliance.backupsStarted", collectionGroup: BACKUPS, range: "startedAt" }),
};

export const complianceReportSchema = z.object({
  month: z.string(),
  generatedAt: z.string(),
  requests: z.object({
    received: z.record(z.string(), z.number()),
    completed: z.record(z.string(), z.number()),
    /** Completed after their deadline. */
    completedLate: z.number(),
    /** Still open past their deadline when the report was made. */
    openPastDeadline: z.number(),
    durationMsAvg: z.number().nullable(),
    durationMsMax: z.number().nullable(),
    deadlineDays: z.number(),
  }),
  purges: z.record(z.string(), z.object({ jobs: z.number(), documents: z.number() })),
  backups: z.object({ started: z.number(), verified: z.number(), failed: z.number() }),
  /** Null when the secrets work records no rotations for this report to count. */
  secretRotations: z.number().nullable(),
});
export type ComplianceReport = z.infer<typeof complianceReportSchema>;

export type ReportBucket = { name: string; file(name: string): { save(data: string, options: { contentType: string; resumable: boolean }): Promise<unknown>; getSignedUrl(config: { version: "v4"; action: "read"; expires: number }): Promise<[string]> } };

export const reportObject = (month: string) => `compliance/reports/${month}.json`;

/** `yyyy-mm` of the month before the one `now` is in (UTC). */
export function previousMonth(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

export function createComplianceReports(deps: { db: Firestore; clock: Clock; bucket: (() => ReportBucket) | null; secretRotations?: (from: number, to: number) => Promise<number> }) {
  const { db, clock } = deps;

  async function generate(month: string): Promise<ComplianceReport> {
    const from = Date.parse(`${month}-01T00:00:00Z`);
    const start = new Date(from);
    const to = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
    const [fromTs, toTs] = [Timestamp.fromMillis(from), Timestamp.fromMillis(to)];
    const now = clock.now();
    const received = await runQuery(REPORT_QUERIES.requestsReceived, db.collection(DATA_REQUESTS).where("requestedAt", ">=", fromTs).where("requestedAt", "<", toTs).select("kind", "status", "dueAt"));
    const completed = await runQuery(REPORT_QUERIES.requestsCompleted, db.collection(DATA_REQUESTS).where("completedAt", ">=", fromTs).where("completedAt", "<", toTs).select("kind", "requestedAt", "completedAt", "dueAt"));
    const tally = (docs: FirebaseFirestore.QueryDocumentSnapshot[]) => docs.reduce<Record<string, number>>((t, d) => ({ ...t, [String(d.get("kind"))]: (t[String(d.get("kind"))] ?? 0) + 1 }), {});
    const durations = completed.docs.map((d) => (d.get("completedAt") as Timestamp).toMillis() - (d.get("requestedAt") as Timestamp).toMillis());
    const purges: ComplianceReport["purges"] = {};
    const jobs = await runQuery(REPORT_QUERIES.purgesCompleted, db.collection(PURGE_JOBS).where("completedAt", ">=", fromTs).where("completedAt", "<", toTs).select("dataClass", "processed"));
    for (const job of jobs.docs) {
      const entry = (purges[String(job.get("dataClass"))] ??= { jobs: 0, documents: 0 });
      entry.jobs++;
      entry.documents += Number(job.get("processed") ?? 0);
    }
    const backups = await runQuery(REPORT_QUERIES.backupsStarted, db.collection(BACKUPS).where("startedAt", ">=", from).where("startedAt", "<", to).select("status"));
    const statuses = backups.docs.map((b) => String(b.get("status")));
    const report: ComplianceReport = {
      month,
      generatedAt: new Date(now).toISOString(),
      requests: {
        received: tally(received.docs),
        completed: tally(completed.docs),
        completedLate: completed.docs.filter((d) => (d.get("completedAt") as Timestamp).toMillis() > (d.get("dueAt") as Timestamp).toMillis()).length,
        openPastDeadline: received.docs.filter((d) => d.get("status") !== "completed" && (d.get("dueAt") as Timestamp).toMillis() < now).length,
        durationMsAvg: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
        durationMsMax: durations.length ? Math.max(...durations) : null,
        deadlineDays: DSR_DEADLINE_DAYS,
      },
      purges,
      backups: { started: statuses.length, verified: statuses.filter((s) => s === "verified").length, failed: statuses.filter((s) => s === "failed" || s === "partial").length },
      secretRotations: deps.secretRotations ? await deps.secretRotations(from, to) : null,
    };
    await db.collection(COMPLIANCE_REPORTS).doc(month).set({ ...report, updatedAt: Timestamp.fromMillis(now) });
    if (deps.bucket) await deps.bucket().file(reportObject(month)).save(JSON.stringify(report, null, 2), { contentType: "application/json", resumable: false });
    return report;
  }

  return {
    generate,
    /** A short-lived signed link to a stored report (15 minutes). */
    async downloadUrl(month: string): Promise<string> {
      if (!deps.bucket) throw new Error("Reports need a bucket");
      const [url] = await deps.bucket().file(reportObject(month)).getSignedUrl({ version: "v4", action: "read", expires: clock.now() + 15 * 60_000 });
      return url;
    },
  };
}

export type ComplianceReports = ReturnType<typeof createComplianceReports>;
