import { z } from "zod";
import { fields } from "../lib/validation";

export const createWorkspaceInput = z.strictObject({
  name: fields.name,
  description: fields.description.optional(),
});

export type CreateWorkspaceInput = z.infer<typeof createWorkspaceInput>;
