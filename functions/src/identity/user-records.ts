import { z } from "zod";
import { PLAN_TIERS } from "./principal";

/**
 * Firestore layout of users: `users/{uid}`, written by admin tools and billing (never by these
 * functions) and readable by its own user. The backend reads only `plan`; other fields
 * (`displayName`, `createdAt`) are not parsed, so no personal data passes through here. Writers
 * set `updatedAt` on every write, so the hourly backup carries the change (docs/backups.md).
 */
export const USERS = "users";

export const userPath = (uid: string) => `${USERS}/${uid}`;

/**
 * A missing or unknown plan reads as free: the document is written outside this codebase and
 * read by the rate limiter on every request, where failing would lock the user out.
 */
export const storedUserSchema = z.object({ plan: z.enum(PLAN_TIERS).catch("free") });
export type StoredUser = z.infer<typeof storedUserSchema>;
