import { Storage } from "@google-cloud/storage";
import { backupManifest, incrementalRecord, BACKUPS, INCREMENTALS } from "../../src/backups/backups-records";
import { testDb } from "../helpers/firestore";
import { eventually, relayUrl } from "../helpers/events";

/**
 * Backups as deployed, on the local stack: Cloud Scheduler's role is the event relay's (`:run` is
 * `gcloud scheduler jobs run`), the export is the real admin client against the local Firestore
 * server's ExportDocuments, replication steps travel over the local Pub/Sub to `replicateBackup`,
 * and every copy is checked against the local Storage server's checksums. The rules of each step
 * (corruption, missing objects, crashes, retention, restore) are proven in test/backups.
 */
const runJob = async (name: string) => {
  const res = await fetch(`${relayUrl()}/scheduler/jobs/${name}:run`, { method: "POST" });
  return { status: res.status, body: (await res.json()) as { outcome?: string; error?: string } };
};

describe("backups through the deployed functions", () => {
  jest.setTimeout(240_000);

  it("runs the daily export, replicates it over Pub/Sub to both regions verified by checksum, then writes the hourly file", async () => {
    const db = testDb();
    const started = Date.now();
    expect(await runJob("startDailyBackup")).toEqual({ status: 200, body: { outcome: "delivered" } });
    const newest = async () => {
      const snap = await db.collection(BACKUPS).where("startedAt", ">=", started).get();
      return snap.docs.map((doc) => backupManifest.parse(doc.data()))[0];
    };
    const manifest = await eventually("the backup manifest", newest);
    expect(manifest).toMatchObject({ tier: "daily", database: "projects/demo-rag-prompt-library/databases/(default)" });

    // pollBackups (every 5 minutes in production) sees the export finish and fans out one replication step per region.
    const verified = await eventually(
      "both regions verified",
      async () => {
        const current = await newest();
        if (current?.status === "exporting") await runJob("pollBackups");
        return current?.status === "verified" ? current : undefined;
      },
      180_000,
    );
    expect(Object.values(verified.regions).map((r) => r.status)).toEqual(["verified", "verified"]);
    expect(verified.objects.length).toBeGreaterThan(0);

    // Each regional copy has the primary's bytes (the Storage server computes the checksums).
    const storage = new Storage();
    const first = verified.objects[0]!;
    const [primary] = await storage.bucket(verified.bucket).file(first.name).getMetadata();
    for (const region of Object.values(verified.regions)) {
      const [copy] = await storage.bucket(region.bucket).file(first.name).getMetadata();
      expect(copy.crc32c).toBe(primary.crc32c);
    }
    // The rules, indexes and TTL settings travel with the data.
    const [configFiles] = await storage.bucket(verified.bucket).getFiles({ prefix: `${verified.prefix}/config/` });
    expect(configFiles.map((f) => f.name.split("/").at(-1)).sort()).toEqual(expect.arrayContaining(["firestore.indexes.json", "firestore.rules", "storage.rules", "ttl-policies.json"]));

    // The hourly job: a file of the changes since the export, copied to every region.
    await db.collection("workspaces").doc(`backup-e2e-${started}`).set({ name: "changed after the export", updatedAt: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await runJob("hourlyBackup")).toEqual({ status: 200, body: { outcome: "delivered" } });
    const hourly = await eventually("the hourly record", async () => {
      const snap = await db.collection(INCREMENTALS).where("capturedAt", ">=", started).get();
      return snap.docs.map((doc) => incrementalRecord.parse(doc.data()))[0];
    });
    expect(Object.values(hourly.regions)).toEqual(["verified", "verified"]);
  });
});
