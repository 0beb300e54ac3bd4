/**
 * Resource names and production's naming rules: secret ids are 1-255 characters of
 * [A-Za-z0-9_-]; versions are numbers, `latest`, or an alias of the secret.
 */
import { invalidArgument, unimplemented } from "./errors";

const SECRET_ID_RE = /^[A-Za-z0-9_-]{1,255}$/;
/** Aliases: letters, digits, `-` and `_`, at most 63, not all digits, not `latest`. */
const ALIAS_RE = /^[A-Za-z0-9_-]{1,63}$/;

export function parseProject(parent: string | undefined): string {
  const parts = (parent ?? "").split("/");
  if (parts.length === 4 && parts[0] === "projects" && parts[2] === "locations") throw unimplemented("Regional secrets are not supported by this local server");
  if (parts.length !== 2 || parts[0] !== "projects" || !parts[1]) throw invalidArgument(`Invalid parent: ${parent ?? ""}`);
  return parts[1];
}

export function checkSecretId(id: string | undefined): string {
  if (!id || !SECRET_ID_RE.test(id)) throw invalidArgument(`Invalid secret_id: must match [a-zA-Z0-9_-]{1,255} (secret_id=${id ?? ""})`);
  return id;
}

/** `projects/{p}/secrets/{s}` → the secret's name (as given) after checking its shape. */
export function parseSecretName(name: string | undefined): string {
  const parts = (name ?? "").split("/");
  if (parts[2] === "locations") throw unimplemented("Regional secrets are not supported by this local server");
  if (parts.length !== 4 || parts[0] !== "projects" || !parts[1] || parts[2] !== "secrets") throw invalidArgument(`Invalid secret name: ${name ?? ""}`);
  checkSecretId(parts[3]);
  return name!;
}

/** `projects/{p}/secrets/{s}/versions/{v}` → the secret's name and the version selector. */
export function parseVersionName(name: string | undefined): { secret: string; version: string } {
  const parts = (name ?? "").split("/");
  if (parts[2] === "locations") throw unimplemented("Regional secrets are not supported by this local server");
  if (parts.length !== 6 || parts[4] !== "versions" || !parts[5]) throw invalidArgument(`Invalid secret version name: ${name ?? ""}`);
  return { secret: parseSecretName(parts.slice(0, 4).join("/")), version: parts[5] };
}

export function checkAlias(alias: string): void {
  if (!ALIAS_RE.test(alias) || /^\d+$/.test(alias) || alias === "latest") throw invalidArgument(`Invalid version alias: ${alias}`);
}
