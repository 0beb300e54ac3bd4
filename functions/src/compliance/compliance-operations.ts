import { z } from "zod";
import { operation } from "../api/operation";
import { fields } from "../lib/validation";
import { DATA_REQUEST_KINDS, receiptSchema } from "./compliance-records";
import type { ComplianceService } from "./compliance-service";
import { PURPOSES } from "./consent-ledger";

type Deps = { compliance: ComplianceService };

const consentView = z.object({ purpose: z.enum(PURPOSES), description: z.string(), granted: z.boolean(), policyVersion: z.string().nullable(), updatedAt: z.string().nullable() });
const consentEventView = z.object({ purpose: z.string(), granted: z.boolean(), policyVersion: z.string(), at: z.string(), source: z.string() });
const dataRequestView = z.object({
  id: z.string(),
  kind: z.enum(DATA_REQUEST_KINDS),
  status: z.enum(["queued", "running", "completed", "failed"]),
  source: z.enum(["user", "auth-deletion", "admin"]),
  requestedAt: z.string(),
  dueAt: z.string(),
  completedAt: z.string().nullable(),
  receipt: receiptSchema.nullable(),
  downloadUrl: z.string().nullable(),
  downloadUrlExpiresAt: z.string().nullable(),
  error: z.string().nullable(),
});
const deletionView = z.object({
  workspaceId: z.string(),
  status: z.enum(["pending", "restored", "purged"]),
  requestedAt: z.string(),
  purgeAfter: z.string(),
  restoredAt: z.string().nullable(),
  purgedAt: z.string().nullable(),
});

/**
 * The person's own data (consents, export, erasure) and workspace deletion. Signed-in users only:
 * API keys act for a workspace, not for a person, and never hold `workspace:manage`.
 */
export const complianceOperations = {
  getConsents: operation({
    name: "compliance.getConsents",
    callable: "getConsents",
    summary: "The caller's consent per purpose, the current policy version and the history of answers.",
    tags: ["compliance"],
    action: null,
    rateLimit: { policy: "read" },
    input: z.strictObject({}),
    output: z.object({ policyVersion: z.string(), items: z.array(consentView), history: z.array(consentEventView) }),
    run: ({ compliance }: Deps, principal) => compliance.getConsents(principal),
  }),
  setConsent: operation({
    name: "compliance.setConsent",
    callable: "setConsent",
    summary: "Grant or withdraw consent to a purpose, against the current policy version.",
    tags: ["compliance"],
    action: null,
    rateLimit: { policy: "write" },
    input: z.strictObject({ purpose: z.enum(PURPOSES), granted: z.boolean(), policyVersion: z.string().min(1).max(40) }),
    output: consentView,
    run: ({ compliance }: Deps, principal, input) => compliance.setConsent(principal, input),
  }),
  requestDataExport: operation({
    name: "compliance.requestDataExport",
    callable: "requestDataExport",
    summary: "Queue an export of everything held about the caller; poll getDataRequest for the download link.",
    tags: ["compliance"],
    action: null,
    rateLimit: { policy: "write", cost: 5 },
    input: z.strictObject({}),
    output: dataRequestView,
    run: ({ compliance }: Deps, principal) => compliance.requestDataExport(principal),
  }),
  requestErasure: operation({
    name: "compliance.requestErasure",
    callable: "requestErasure",
    summary: "Queue the erasure of everything held about the caller (irreversible; workspaces they own alone are deleted).",
    tags: ["compliance"],
    action: null,
    rateLimit: { policy: "write", cost: 5 },
    // An explicit confirmation, so a stray call cannot erase anyone.
    input: z.strictObject({ confirm: z.literal("ERASE MY DATA") }),
    output: dataRequestView,
    run: ({ compliance }: Deps, principal) => compliance.requestErasure(principal),
  }),
  getDataRequest: operation({
    name: "compliance.getDataRequest",
    callable: "getDataRequest",
    summary: "One of the caller's data requests: status, receipt and, for a finished export, a short-lived download link.",
    tags: ["compliance"],
    action: null,
    rateLimit: { policy: "read" },
    input: z.strictObject({ requestId: fields.id }),
    output: dataRequestView,
    run: ({ compliance }: Deps, principal, input) => compliance.getDataRequest(principal, input.requestId),
  }),
  deleteWorkspace: operation({
    name: "compliance.deleteWorkspace",
    callable: "deleteWorkspace",
    summary: "Schedule the workspace's deletion (owner only); restorable during the grace period (30 days).",
    tags: ["workspaces", "compliance"],
    action: "workspace:manage",
    rateLimit: { policy: "write" },
    input: z.strictObject({ workspaceId: fields.id }),
    output: deletionView,
    run: ({ compliance }: Deps, principal, input) => compliance.deleteWorkspace(principal, input.workspaceId),
  }),
  restoreWorkspace: operation({
    name: "compliance.restoreWorkspace",
    callable: "restoreWorkspace",
    summary: "Cancel a pending workspace deletion within its grace period (owner only).",
    tags: ["workspaces", "compliance"],
    action: "workspace:manage",
    rateLimit: { policy: "write" },
    input: z.strictObject({ workspaceId: fields.id }),
    output: deletionView,
    run: ({ compliance }: Deps, principal, input) => compliance.restoreWorkspace(principal, input.workspaceId),
  }),
};
