/**
 * Generation / metageneration preconditions. `ifGenerationMatch=0` means "only if no live object
 * exists". Failures are 412 conditionNotMet, except `ifGenerationNotMatch` /
 * `ifMetagenerationNotMatch` on reads, which GCS answers with 304 Not Modified.
 */
import { ApiError, conditionNotMet, invalid } from "./errors";
import type { ObjectRecord, Preconditions } from "./types";

const NAMES = ["ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch"] as const;

export function readPreconditions(query: URLSearchParams, prefix = ""): Preconditions {
  const out: Preconditions = {};
  for (const name of NAMES) {
    const key = prefix ? prefix + name[0]!.toUpperCase() + name.slice(1) : name;
    const raw = query.get(key);
    if (raw === null) continue;
    if (!/^-?\d+$/.test(raw)) throw invalid(`Invalid value for ${key}: ${raw}`);
    out[name] = raw;
  }
  return out;
}

export function checkPreconditions(p: Preconditions, current: ObjectRecord | undefined, opts: { read?: boolean } = {}): void {
  const gen = current ? current.generation : "0";
  if (p.ifGenerationMatch !== undefined && p.ifGenerationMatch !== gen) throw conditionNotMet();
  if (p.ifMetagenerationMatch !== undefined && (!current || String(current.metageneration) !== p.ifMetagenerationMatch)) throw conditionNotMet();
  const notModified = (): ApiError => (opts.read ? new ApiError(304, "conditionNotMet", "Not Modified") : conditionNotMet());
  if (p.ifGenerationNotMatch !== undefined && p.ifGenerationNotMatch === gen) throw notModified();
  if (p.ifMetagenerationNotMatch !== undefined && current && String(current.metageneration) === p.ifMetagenerationNotMatch) throw notModified();
}
