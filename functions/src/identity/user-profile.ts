import type { Firestore } from "firebase-admin/firestore";
import type { PlanTier } from "./principal";

/**
 * What the backend reads of `users/{uid}`, and all the cache holds of it (`cacheKeys.user`):
 * only fields the backend uses, so no personal data lands in Redis by the way.
 */
export type UserProfile = { plan: PlanTier };

const PLANS: readonly string[] = ["free", "pro", "enterprise"] satisfies PlanTier[];

/** The profile, or null when there is no user document. An unknown plan reads as free. */
export async function readUserProfile(db: Pick<Firestore, "doc">, uid: string): Promise<UserProfile | null> {
  const snap = await db.doc(`users/${uid}`).get();
  if (!snap.exists) return null;
  const plan = snap.get("plan");
  return { plan: typeof plan === "string" && PLANS.includes(plan) ? (plan as PlanTier) : "free" };
}
