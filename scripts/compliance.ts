/**
 * Operators' compliance CLI: `npx tsx scripts/compliance.ts <command> [--flags]`. Uses the
 * product's own compliance modules with the real clients (FIRESTORE_EMULATOR_HOST and
 * STORAGE_EMULATOR_HOST apply; LOCAL_SIGNING_KEY_FILE signs links locally).
 *
 *   report --month yyyy-mm [--generate]     print a monthly report (generating it first) and a 15-minute download link
 *   request --kind export|erasure --uid u   queue a data request on a person's behalf (source: admin)
 *   status --id <requestId>                 a request's status and receipt
 */
import fs from "node:fs";
import { Storage } from "@google-cloud/storage";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { createComplianceReports } from "../functions/src/compliance/compliance-report";
import { DATA_REQUESTS } from "../functions/src/compliance/compliance-records";
import { systemClock } from "../functions/src/lib/clock";

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? "") : undefined;
};
const projectId = process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library";
const app = getApps()[0] ?? initializeApp({ projectId });
const db = getFirestore(app);
const keyFile = process.env.LOCAL_SIGNING_KEY_FILE;
const credentials = keyFile ? (JSON.parse(fs.readFileSync(keyFile, "utf8")) as { client_email: string; private_key: string }) : undefined;
const bucket = new Storage({ projectId, ...(credentials ? { credentials } : {}) }).bucket(process.env.DEFAULT_BUCKET ?? `${projectId}.appspot.com`);

async function main(): Promise<void> {
  const [command] = argv;
  if (command === "report") {
    const month = flag("month") ?? "";
    if (!/^\d{4}-\d{2}$/.test(month)) throw new Error("--month yyyy-mm");
    const reports = createComplianceReports({ db, clock: systemClock, bucket: () => bucket });
    const report = argv.includes("--generate") ? await reports.generate(month) : (await db.collection("complianceReports").doc(month).get()).data();
    if (!report) throw new Error(`No report for ${month}: add --generate`);
    console.log(JSON.stringify(report, null, 2));
    console.log(`download (15 min): ${await reports.downloadUrl(month)}`);
  } else if (command === "request") {
    const kind = flag("kind");
    const uid = flag("uid");
    if ((kind !== "export" && kind !== "erasure") || !uid) throw new Error("--kind export|erasure --uid <uid>");
    const { createDataRequests } = await import("../functions/src/compliance/data-requests");
    // Queued only: the deployed worker (or its sweeper) runs it, with every client it needs.
    const requests = createDataRequests({ db, clock: systemClock, subjects: null as never, bucket: null, signUrls: false });
    console.log(JSON.stringify(await requests.submit(kind, uid, "admin"), null, 2));
  } else if (command === "status") {
    const snap = await db.collection(DATA_REQUESTS).doc(flag("id") ?? "-").get();
    if (!snap.exists) throw new Error("No such request");
    console.log(JSON.stringify(snap.data(), null, 2));
  } else {
    console.log("usage: compliance.ts report --month yyyy-mm [--generate] | request --kind export|erasure --uid <uid> | status --id <requestId>");
    process.exitCode = 2;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
