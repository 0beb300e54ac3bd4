/**
 * Resource names and production's naming rules: an id is 3-255 characters from
 * [A-Za-z0-9-_.~+%], starts with a letter and does not start with "goog".
 */
import { invalidArgument } from "./errors";

export type Kind = "topics" | "subscriptions" | "snapshots" | "schemas";

/** What production puts in a subscription's `topic` once its topic has been deleted. */
export const DELETED_TOPIC = "_deleted-topic_";

const ID_RE = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const PROJECT_RE = /^projects\/([^/]+)$/;

export type ResourceName = { project: string; id: string; name: string };

export function isValidId(id: string): boolean {
  return ID_RE.test(id) && !id.toLowerCase().startsWith("goog");
}

/** Parses `projects/{p}/{kind}/{id}`, throwing INVALID_ARGUMENT on anything else. */
export function parseName(name: string | undefined, kind: Kind): ResourceName {
  const parts = (name ?? "").split("/");
  const singular = kind.slice(0, -1);
  if (parts.length !== 4 || parts[0] !== "projects" || !parts[1] || parts[2] !== kind) {
    throw invalidArgument(`Invalid [${kind}] name: (name=${name ?? ""})`);
  }
  const id = parts[3]!;
  if (!isValidId(id)) throw invalidArgument(`Invalid ${singular} id: (name=${name})`);
  return { project: parts[1], id, name: name! };
}

/** Parses `projects/{p}`. */
export function parseProject(name: string | undefined): string {
  const m = PROJECT_RE.exec(name ?? "");
  if (!m) throw invalidArgument(`Invalid project: (project=${name ?? ""})`);
  return m[1]!;
}

export const projectOf = (name: string): string => name.split("/")[1] ?? "";
