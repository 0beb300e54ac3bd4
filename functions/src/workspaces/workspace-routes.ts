import { z } from "zod";
import { route } from "../api/route";
import { services } from "../app/services";

const workspaceView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  plan: z.enum(["free", "pro", "enterprise"]),
  ownerUid: z.string(),
  createdAt: z.string(),
});

export const workspaceRoutes = [
  route({
    method: "GET",
    path: "/v1/workspace",
    summary: "Describe the workspace the API key belongs to, with the key's scopes.",
    tags: ["workspaces"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    response: z.object({ workspace: workspaceView, scopes: z.array(z.string()) }),
    handle: async ({ principal }) => ({
      workspace: await services().workspaces.get(principal, principal.workspaceId),
      scopes: [...principal.scopes],
    }),
  }),
];
