import { z } from "zod";
import { ROLES } from "../identity/permissions";
import { fields } from "../lib/validation";

export const createWorkspaceInput = z.strictObject({
  name: fields.name,
  description: fields.description.optional(),
});
export type CreateWorkspaceInput = z.infer<typeof createWorkspaceInput>;

export const workspaceIdInput = z.strictObject({ workspaceId: fields.id });

export const listWorkspacesInput = z.strictObject({
  pageSize: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(500).optional(),
});

/** Owners are made at creation only; ownership is not handed out through member management. */
const assignableRole = z.enum(ROLES.filter((role) => role !== "owner") as ["viewer", "editor", "admin"]);

export const addMemberInput = z.strictObject({
  workspaceId: fields.id,
  uid: fields.id,
  role: assignableRole,
});
export type AddMemberInput = z.infer<typeof addMemberInput>;

export const removeMemberInput = z.strictObject({ workspaceId: fields.id, uid: fields.id });
