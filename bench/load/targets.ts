/**
 * What a load run sends: the two baselines and the product journeys, each bound to the one
 * deployed function that serves it (production runs one function per instance).
 */
import type { LoadUser } from "./seed";
import type { FunctionSource } from "./serve";

export type RequestShape = { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string };

export type Target = {
  /** Row name in the table. */
  name: string;
  /** The exported function that serves it, and where it comes from. */
  fn: string;
  source: FunctionSource;
  baseline?: "echo" | "one-read";
  /** The request for one user (users rotate across requests). */
  request(user: LoadUser): RequestShape;
};

const json = { "content-type": "application/json" };
const callable = (user: LoadUser, data: unknown): RequestShape => ({
  method: "POST",
  path: "/",
  headers: { ...json, authorization: `Bearer ${user.idToken}` },
  body: JSON.stringify({ data }),
});
const rest = (user: LoadUser, path: string): RequestShape => ({ method: "GET", path, headers: { authorization: `Bearer ${user.apiKey}` } });

export const TARGETS: Target[] = [
  { name: "baseline: bare echo", fn: "echo", source: "baseline", baseline: "echo", request: () => ({ method: "GET", path: "/", headers: {} }) },
  { name: "baseline: one Firestore read", fn: "oneRead", source: "baseline", baseline: "one-read", request: () => ({ method: "GET", path: "/", headers: {} }) },
  { name: "callable listPrompts", fn: "listPrompts", source: "product", request: (u) => callable(u, { workspaceId: u.workspaceId }) },
  { name: "REST GET prompts (list)", fn: "api", source: "product", request: (u) => rest(u, `/v1/workspaces/${u.workspaceId}/prompts`) },
  {
    name: "REST GET version by label",
    fn: "api",
    source: "product",
    request: (u) => rest(u, `/v1/workspaces/${u.workspaceId}/prompts/${u.promptId}/versions/production`),
  },
  {
    name: "callable runExecution + retrieval",
    fn: "runExecution",
    source: "product",
    request: (u) =>
      callable(u, { workspaceId: u.workspaceId, promptId: u.promptId, label: "production", variables: { question: "How long do refunds take?" }, retrieval: { topK: 3 } }),
  },
];

export function targetsNamed(names: string[] | undefined): Target[] {
  if (!names) return TARGETS;
  return TARGETS.filter((t) => t.baseline || names.some((n) => t.name.toLowerCase().includes(n.toLowerCase()) || t.fn === n));
}
