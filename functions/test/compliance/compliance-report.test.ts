import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { Storage } from "@google-cloud/storage";
import { Timestamp } from "firebase-admin/firestore";
import { createComplianceReports, previousMonth } from "../../src/compliance/compliance-report";
import { manualClock } from "../../src/lib/clock";
import { freshDatabase } from "./compliance-fixtures";

const DAY = 86_400_000;

test("the monthly report counts requests against the 30-day deadline, purges by class, backups verified; stored and downloadable", async () => {
  const { db } = freshDatabase("rep");
  const key = JSON.parse(fs.readFileSync(process.env.LOCAL_SIGNING_KEY_FILE ?? "", "utf8")) as { client_email: string; private_key: string };
  const [bucket] = await new Storage({ projectId: process.env.GCLOUD_PROJECT, credentials: key }).createBucket(`rep-${randomBytes(5).toString("hex")}`);
  const nov = (day: number) => Date.UTC(2026, 10, day);
  const ts = Timestamp.fromMillis;
  const request = (kind: string, requested: number, completed: number | null) => ({
    kind,
    subjectUid: "u",
    source: "user",
    status: completed ? "completed" : "queued",
    requestedAt: ts(requested),
    dueAt: ts(requested + 30 * DAY),
    completedAt: completed ? ts(completed) : null,
  });
  await db.doc("dataRequests/a").set(request("export", nov(2), nov(2) + 3_600_000));
  await db.doc("dataRequests/b").set(request("erasure", nov(3), nov(3) + 2 * DAY));
  await db.doc("dataRequests/c").set(request("erasure", Date.UTC(2026, 9, 1), nov(5))); // received in October, completed late
  await db.doc("dataRequests/d").set(request("erasure", Date.UTC(2026, 9, 2), null)); // still open past its deadline
  await db.doc("dataRequests/e").set(request("erasure", nov(20), null));
  await db.doc("purgeJobs/executions@2026-11-02").set({ dataClass: "executions", processed: 1200, completedAt: ts(nov(2)) });
  await db.doc("purgeJobs/executions@2026-11-03").set({ dataClass: "executions", processed: 300, completedAt: ts(nov(3)) });
  await db.doc("purgeJobs/webhookDeliveries@2026-11-03").set({ dataClass: "webhookDeliveries", processed: 40, completedAt: ts(nov(3)) });
  await db.doc("purgeJobs/executions@2026-10-31").set({ dataClass: "executions", processed: 999, completedAt: ts(Date.UTC(2026, 9, 31)) });
  for (const [id, status] of [["b1", "verified"], ["b2", "verified"], ["b3", "failed"]] as const) await db.doc(`backups/${id}`).set({ status, startedAt: nov(10) });
  const clock = manualClock(Date.UTC(2026, 11, 1, 4));
  const reports = createComplianceReports({ db, clock, bucket: () => bucket, secretRotations: async () => 2 });

  expect(previousMonth(clock.now())).toBe("2026-11");
  const report = await reports.generate("2026-11");
  expect(report).toMatchObject({
    month: "2026-11",
    requests: { received: { export: 1, erasure: 2 }, completed: { export: 1, erasure: 2 }, completedLate: 1, openPastDeadline: 0, deadlineDays: 30 },
    purges: { executions: { jobs: 2, documents: 1500 }, webhookDeliveries: { jobs: 1, documents: 40 } },
    backups: { started: 3, verified: 2, failed: 1 },
    secretRotations: 2,
  });
  expect(report.requests.durationMsMax).toBe(Date.UTC(2026, 10, 5) - Date.UTC(2026, 9, 1));
  expect((await reports.generate("2026-10")).requests.openPastDeadline).toBe(1);
  expect((await db.doc("complianceReports/2026-11").get()).data()).toMatchObject({ month: "2026-11" });
  const downloaded = await fetch(await reports.downloadUrl("2026-11"));
  expect(await downloaded.json()).toEqual(report);
});
