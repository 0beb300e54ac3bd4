import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import type { EventPublisher } from "../events/outbox-publisher";
import type { AccessControl } from "../identity/access-control";
import { requireUser, type Principal } from "../identity/principal";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError } from "../lib/errors";
import { createWorkspaceDeletion, type PrefixBucket } from "../workspaces/workspace-deletion";
import { createComplianceReports, previousMonth, type ReportBucket } from "./compliance-report";
import { createConsentLedger, CURRENT_POLICY_VERSION, type ConsentPurpose } from "./consent-ledger";
import { createDataRequests, type ExportBucket } from "./data-requests";
import { createPurgeJobs, PURGE_TOPIC, type PurgeMessage } from "./purge-jobs";
import type { DataClass } from "./retention-policies";
import { createSubjectData, type SubjectAuth, type SubjectBucket } from "./subject-data";
import type { SubjectRedis } from "./subject-redis";
import type { FieldSealer } from "../secrets/sealed-fields";
import type { MetricsRecorder } from "../lib/metrics";

/** What the default bucket must do for the compliance domain: files of workspaces, export archives, reports. */
export type ComplianceBucket = PrefixBucket & SubjectBucket & ExportBucket & ReportBucket;

export type ComplianceDeps = {
  db: Firestore;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  bucket: () => ComplianceBucket;
  redis: SubjectRedis | null;
  cache: Pick<ReadThroughCache, "invalidate">;
  publisher: EventPublisher;
  /** Firebase Auth (absent: accounts are neither exported nor deleted, e.g. in tests without the Auth emulator). */
  auth?: () => SubjectAuth;
  /** Sign download links (real Storage, or the local Storage server with the stack's signing key). */
  signUrls: boolean;
  retentionDays?: Partial<Record<DataClass, number>>;
  secretRotations?: (from: number, to: number) => Promise<number>;
  /** Opens sealed personal data for exports (docs/secrets.md). */
  fields?: Pick<FieldSealer, "open">;
};

/**
 * The compliance domain (docs/compliance.md): retention purges, data subject requests with
 * receipts, the erasure ledger, the consent ledger, workspace deletion and the monthly report.
 * Deletion itself is each domain's (`*-purge.ts`, `*-erasure.ts`, `workspace-deletion.ts`).
 */
export function createCompliance(deps: ComplianceDeps) {
  const { db, clock } = deps;
  const consents = createConsentLedger({ db, clock });
  const workspaces = createWorkspaceDeletion({ db, clock, access: deps.access, bucket: deps.bucket });
  const subjects = createSubjectData({ db, clock, workspaces, bucket: deps.bucket, redis: deps.redis, cache: deps.cache, auth: deps.auth ? deps.auth() : null, ...(deps.fields ? { fields: deps.fields } : {}) });
  const requests = createDataRequests({ db, clock, subjects, bucket: deps.bucket, signUrls: deps.signUrls });
  const purge = createPurgeJobs({
    db,
    clock,
    workspaces,
    hasConsent: consents.hasConsent,
    publisher: { publish: async (m: PurgeMessage) => void (await deps.publisher.publish(PURGE_TOPIC, { data: Buffer.from(JSON.stringify(m)), attributes: { jobId: m.jobId }, orderingKey: "" })) },
    ...(deps.retentionDays ? { retentionDays: deps.retentionDays } : {}),
  });
  const reports = createComplianceReports({ db, clock, bucket: deps.bucket, ...(deps.secretRotations ? { secretRotations: deps.secretRotations } : {}) });

  return {
    consents,
    workspaces,
    subjects,
    requests,
    purge,
    reports,

    async getConsents(principal: Principal) {
      const uid = requireUser(principal);
      return { policyVersion: CURRENT_POLICY_VERSION, items: await consents.list(uid), history: await consents.history(uid, 50) };
    },

    async setConsent(principal: Principal, input: { purpose: ConsentPurpose; granted: boolean; policyVersion: string }) {
      const uid = requireUser(principal);
      if (input.policyVersion !== CURRENT_POLICY_VERSION) {
        throw new FailedPreconditionError(`policyVersion ${input.policyVersion} is not the current policy (${CURRENT_POLICY_VERSION}): show the current policy and ask again.`, { currentPolicyVersion: CURRENT_POLICY_VERSION });
      }
      return consents.set(uid, input.purpose, input.granted, input.policyVersion, "user");
    },

    requestDataExport: (principal: Principal) => requests.submit("export", requireUser(principal), "user"),
    requestErasure: (principal: Principal) => requests.submit("erasure", requireUser(principal), "user"),
    getDataRequest: (principal: Principal, requestId: string) => requests.get(requireUser(principal), requestId),
    deleteWorkspace: (principal: Principal, workspaceId: string) => workspaces.schedule(principal, workspaceId),
    restoreWorkspace: (principal: Principal, workspaceId: string) => workspaces.restore(principal, workspaceId),

    /** An Auth account was deleted: one erasure per account, however often the trigger fires. */
    onAuthUserDeleted: (uid: string) => requests.submit("erasure", uid, "auth-deletion", `erasure-auth-${uid}`),
  };
}

export type ComplianceService = ReturnType<typeof createCompliance>;

const scheduledRun = z.looseObject({ scheduleTime: z.string() });
const purgeMessage = z.strictObject({ jobId: z.string().regex(/^[A-Za-z]+@\d{4}-\d{2}-\d{2}$/), step: z.number().int().nonnegative() });
const requestCreated = z.object({ params: z.object({ requestId: z.string().min(1) }) });
const authDeleted = z.object({ uid: z.string().min(1).max(128) });

/** The compliance workers; the composition root builds them with `createWorker`. */
export function complianceWorkers(compliance: Pick<ComplianceService, "purge" | "requests" | "reports" | "onAuthUserDeleted">, clock: Clock, metrics?: Pick<MetricsRecorder, "count">) {
  return {
    /** Hourly: today's purge job per class (once), and any job whose step was lost. */
    schedulePurges: { name: "compliance.schedulePurges", payload: scheduledRun, idempotency: "none" as const, handle: async () => void (await compliance.purge.schedule()) },
    /** One bounded step of a purge job; idempotent by the job's step and lease. */
    runPurgeStep: {
      name: "compliance.purgeStep",
      payload: purgeMessage,
      idempotency: "none" as const,
      handle: async (m: z.output<typeof purgeMessage>) => {
        try {
          await compliance.purge.runStep(m);
        } catch (error) {
          // The `purge-failures` alert counts these (monitoring/alert-rules.ts); Pub/Sub retries the step.
          metrics?.count("purges.failed");
          throw error;
        }
      },
    },
    /** A new data request: processed at once (the sweeper is the safety net). */
    processDataRequest: { name: "compliance.dataRequest", payload: requestCreated, idempotency: "none" as const, handle: async (e: z.output<typeof requestCreated>) => void (await compliance.requests.process(e.params.requestId)) },
    sweepDataRequests: { name: "compliance.sweepRequests", payload: scheduledRun, idempotency: "none" as const, handle: async () => void (await compliance.requests.sweep()) },
    monthlyReport: { name: "compliance.monthlyReport", payload: scheduledRun, handle: async () => void (await compliance.reports.generate(previousMonth(clock.now()))) },
    authUserDeleted: { name: "compliance.authUserDeleted", payload: authDeleted, idempotency: "none" as const, handle: async ({ uid }: z.output<typeof authDeleted>) => void (await compliance.onAuthUserDeleted(uid)) },
  };
}
