import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { userPath } from "../identity/user-records";
import { CONSENT_EVENTS, CONSENTS, storedConsentSchema } from "./compliance-records";

/**
 * The consent ledger: the current answer per user and purpose (`users/{uid}/consents/{purpose}`)
 * and every change as an event (`users/{uid}/consentEvents`), written together. No answer means
 * no consent. Processing that needs consent asks `hasConsent`: today the purge keeps a run's
 * inputs and outputs beyond one day only for users who consented to `execution-history`.
 */
export const CONSENT_PURPOSES = {
  "execution-history": "Keep my executions' inputs and outputs for 30 days (otherwise one day).",
  "product-analytics": "Use my activity in aggregate product analytics.",
  "product-emails": "Send me product news by email.",
} as const;
export type ConsentPurpose = keyof typeof CONSENT_PURPOSES;
export const PURPOSES = Object.keys(CONSENT_PURPOSES) as [ConsentPurpose, ...ConsentPurpose[]];

/** The policy version each consent is given against; a new version needs a new answer. @default "2026-01" */
export const CURRENT_POLICY_VERSION = "2026-01";

export type ConsentView = { purpose: ConsentPurpose; description: string; granted: boolean; policyVersion: string | null; updatedAt: string | null };
export type ConsentEventView = { purpose: string; granted: boolean; policyVersion: string; at: string; source: string };

const HISTORY = queryShape({ name: "compliance.consentHistory", collectionGroup: CONSENT_EVENTS, orderBy: [["at", "desc"], ["__name__", "desc"]] });

export function createConsentLedger({ db, clock }: { db: Pick<Firestore, "doc" | "batch" | "collection">; clock: Clock }) {
  const consentRef = (uid: string, purpose: string) => db.doc(`${userPath(uid)}/${CONSENTS}/${purpose}`);

  return {
    /** Every purpose with the user's current answer (none: not granted). */
    async list(uid: string): Promise<ConsentView[]> {
      return Promise.all(
        PURPOSES.map(async (purpose) => {
          const stored = readRecord(await consentRef(uid, purpose).get(), storedConsentSchema, { kind: "consent" });
          return { purpose, description: CONSENT_PURPOSES[purpose], granted: stored?.granted ?? false, policyVersion: stored?.policyVersion ?? null, updatedAt: stored?.updatedAt.toDate().toISOString() ?? null };
        }),
      );
    },

    /** The user's answers over time, newest first. */
    async history(uid: string, limit = 100): Promise<ConsentEventView[]> {
      const snap = await runQuery(HISTORY, db.collection(`${userPath(uid)}/${CONSENT_EVENTS}`).orderBy("at", "desc").orderBy(FieldPath.documentId(), "desc").limit(limit));
      return snap.docs.map((doc) => {
        const e = requireRecord(doc, storedConsentSchema.omit({ updatedAt: true }).extend({ at: storedConsentSchema.shape.updatedAt }), { kind: "consent event" });
        return { purpose: e.purpose, granted: e.granted, policyVersion: e.policyVersion, at: e.at.toDate().toISOString(), source: e.source };
      });
    },

    /** Records an answer and its event together. */
    async set(uid: string, purpose: ConsentPurpose, granted: boolean, policyVersion: string, source: string): Promise<ConsentView> {
      const at = Timestamp.fromMillis(clock.now());
      const batch = db.batch();
      batch.set(consentRef(uid, purpose), { purpose, granted, policyVersion, updatedAt: at, source });
      batch.set(db.collection(`${userPath(uid)}/${CONSENT_EVENTS}`).doc(), { purpose, granted, policyVersion, at, source, updatedAt: at });
      await batch.commit();
      return { purpose, description: CONSENT_PURPOSES[purpose], granted, policyVersion, updatedAt: at.toDate().toISOString() };
    },

    /** Consent holds only when granted against the current policy version. */
    async hasConsent(uid: string, purpose: string): Promise<boolean> {
      const stored = readRecord(await consentRef(uid, purpose).get(), storedConsentSchema, { kind: "consent" });
      return stored?.granted === true && stored.policyVersion === CURRENT_POLICY_VERSION;
    },
  };
}

export type ConsentLedger = ReturnType<typeof createConsentLedger>;
