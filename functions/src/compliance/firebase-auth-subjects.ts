import type { Auth, UserRecord } from "firebase-admin/auth";
import type { AuthRecord, SubjectAuth } from "./subject-data";

const notFound = (error: unknown) => (error as { code?: unknown } | null)?.code === "auth/user-not-found";

const toRecord = (user: UserRecord): AuthRecord => ({
  uid: user.uid,
  email: user.email ?? null,
  displayName: user.displayName ?? null,
  createdAt: user.metadata.creationTime ? new Date(user.metadata.creationTime).toISOString() : null,
  lastSignInAt: user.metadata.lastSignInTime ? new Date(user.metadata.lastSignInTime).toISOString() : null,
  providers: user.providerData.map((p) => p.providerId),
});

/** Firebase Auth as the compliance domain sees it: an account to export, then delete. A missing account is not an error. */
export function firebaseAuthSubjects(auth: Pick<Auth, "getUser" | "deleteUser">): SubjectAuth {
  return {
    async getUser(uid) {
      try {
        return toRecord(await auth.getUser(uid));
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
    },
    async deleteUser(uid) {
      try {
        await auth.deleteUser(uid);
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
  };
}
