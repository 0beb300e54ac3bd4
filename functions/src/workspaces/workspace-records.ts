import { z } from "zod";
import { ROLES } from "../identity/permissions";
import { PLAN_TIERS } from "../identity/principal";
import { timestampField } from "../lib/firestore-records";

/**
 * Firestore layout of workspaces:
 * - `workspaces/{w}`: the workspace (`StoredWorkspace`).
 * - `workspaces/{w}/members/{uid}`: one membership (`StoredMember`); the collection-group query
 *   `uid ==` lists a user's workspaces, so `uid` and `workspaceId` are stored, not only implied.
 */
export const WORKSPACES = "workspaces";
export const MEMBERS = "members";

export const workspacePath = (workspaceId: string) => `${WORKSPACES}/${workspaceId}`;
export const membersPath = (workspaceId: string) => `${workspacePath(workspaceId)}/${MEMBERS}`;
export const memberPath = (workspaceId: string, uid: string) => `${membersPath(workspaceId)}/${uid}`;

export const storedWorkspaceSchema = z.object({
  name: z.string(),
  description: z.string(),
  plan: z.enum(PLAN_TIERS),
  ownerUid: z.string(),
  createdAt: timestampField,
  updatedAt: timestampField,
});
export type StoredWorkspace = z.infer<typeof storedWorkspaceSchema>;

export const storedMemberSchema = z.object({
  uid: z.string(),
  workspaceId: z.string(),
  role: z.enum(ROLES),
  addedAt: timestampField,
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredMember = z.infer<typeof storedMemberSchema>;
