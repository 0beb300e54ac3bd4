import type { Firestore } from "firebase-admin/firestore";
import { readRecord } from "../lib/firestore-records";
import type { PlanTier } from "./principal";
import { storedUserSchema, userPath } from "./user-records";

/**
 * What the backend reads of `users/{uid}`, and all the cache holds of it (`identityCacheKeys.user`):
 * only fields the backend uses, so no personal data lands in Redis by the way.
 */
export type UserProfile = { plan: PlanTier };

/** The profile, or null when there is no user document. An unknown plan reads as free. */
export async function readUserProfile(db: Pick<Firestore, "doc">, uid: string): Promise<UserProfile | null> {
  const stored = readRecord(await db.doc(userPath(uid)).get(), storedUserSchema, { kind: "user" });
  return stored ? { plan: stored.plan } : null;
}
