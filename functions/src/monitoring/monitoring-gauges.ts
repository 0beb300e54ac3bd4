import { Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { runQuery } from "../lib/firestore-queries";
import { DEAD_LETTERS } from "../lib/workers";
import { BACKUP_QUERIES } from "../backups/backup-queries";
import { BACKUPS } from "../backups/backups-records";
import type { GaugeName } from "./alert-rules";
import { MONITORING_QUERIES } from "./monitoring-queries";

/**
 * Gauges read once a minute from Firestore: dead letters of the last hour (one count
 * aggregation) and the age of the newest verified backup (one indexed read). A gauge that cannot
 * be read is null: its rule neither fires nor resolves on missing data.
 */
export function createGaugeReader({ db, clock }: { db: Pick<Firestore, "collection">; clock: Clock }) {
  return async function readGauges(): Promise<Record<GaugeName, number | null>> {
    const since = Timestamp.fromMillis(clock.now() - 3_600_000);
    const [deadLetters, backup] = await Promise.all([
      runQuery(MONITORING_QUERIES.recentDeadLetters, db.collection(DEAD_LETTERS).where("at", ">=", since).count())
        .then((snap) => snap.data().count)
        .catch(() => null),
      runQuery(BACKUP_QUERIES.newestVerified, db.collection(BACKUPS).where("status", "==", "verified").orderBy("startedAt", "desc").limit(1))
        .then((snap) => {
          const startedAt: unknown = snap.docs[0]?.get("startedAt");
          return typeof startedAt === "number" ? clock.now() - startedAt : null;
        })
        .catch(() => null),
    ]);
    return { deadLettersLastHour: deadLetters, newestVerifiedBackupAgeMs: backup };
  };
}

export type GaugeReader = ReturnType<typeof createGaugeReader>;
