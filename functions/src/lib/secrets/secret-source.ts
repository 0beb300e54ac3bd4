import fs from "node:fs";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";

/**
 * Where runtime secrets are read from. `version` is a number, `latest` or an alias (`current`,
 * `previous`); the answer names the number it resolved to, which callers store beside what they
 * encrypted or signed, so the same key can be found again after the alias has moved.
 */
export type SecretSource = {
  access(secretId: string, version: string): Promise<SecretValue>;
};

export type SecretValue = { version: string; value: Buffer };

/** Why a read failed, as the reader decides on it: retry, fall back, or give up. */
export class SecretAccessError extends Error {
  constructor(
    message: string,
    /** `not-found` (no such secret or version), `unavailable` (disabled or destroyed), `transient` (worth a retry). */
    readonly reason: "not-found" | "unavailable" | "transient",
  ) {
    super(message);
    this.name = "SecretAccessError";
  }
}

/** gRPC codes of a failed Secret Manager call that a retry may fix. */
const TRANSIENT_CODES = new Set([2, 4, 8, 10, 13, 14]);

function classify(error: unknown, secretId: string, version: string): SecretAccessError {
  const code = (error as { code?: unknown }).code;
  const where = `${secretId}@${version}`;
  if (code === 5) return new SecretAccessError(`Secret ${where} does not exist.`, "not-found");
  if (code === 9) return new SecretAccessError(`Secret ${where} is disabled or destroyed.`, "unavailable");
  if (typeof code === "number" && TRANSIENT_CODES.has(code)) return new SecretAccessError(`Secret ${where} could not be read (gRPC ${code}).`, "transient");
  return new SecretAccessError(`Secret ${where} could not be read (${typeof code === "number" ? `gRPC ${code}` : "no code"}).`, code === 7 || code === 16 ? "unavailable" : "transient");
}

/** Reads through `@google-cloud/secret-manager` (production, and the local server in tools/). */
export function secretManagerSource(deps: { client: Pick<SecretManagerServiceClient, "accessSecretVersion">; projectId: string }): SecretSource {
  return {
    async access(secretId, version) {
      try {
        const [response] = await deps.client.accessSecretVersion({ name: `projects/${deps.projectId}/secrets/${secretId}/versions/${version}` });
        const data = response.payload?.data;
        if (!data || !response.name) throw new SecretAccessError(`Secret ${secretId}@${version} has no payload.`, "unavailable");
        return { version: response.name.split("/").pop()!, value: Buffer.from(data as Uint8Array) };
      } catch (error) {
        throw error instanceof SecretAccessError ? error : classify(error, secretId, version);
      }
    },
  };
}

/** The version a `.secret.local` value answers as: the file holds one value per name. */
export const LOCAL_VERSION = "0";

/**
 * `functions/.secret.local` (the Firebase emulator's convention: `NAME=value` lines): the one
 * value of each name answers every version selector as version `0`. Read on each miss, so an
 * edited file applies without a restart.
 */
export function localFileSource(file: string): SecretSource {
  return {
    async access(secretId, version) {
      let text = "";
      try {
        text = await fs.promises.readFile(file, "utf8");
      } catch {
        throw new SecretAccessError(`Secret ${secretId} is not in ${file} (no file).`, "not-found");
      }
      if (version !== LOCAL_VERSION && /^\d+$/.test(version)) throw new SecretAccessError(`Secret ${secretId}@${version}: ${file} holds version ${LOCAL_VERSION} only.`, "not-found");
      for (const line of text.split(/\r?\n/)) {
        const m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
        if (m && m[1] === secretId && m[2]) return { version: LOCAL_VERSION, value: Buffer.from(m[2].replace(/^(['"])(.*)\1$/, "$2"), "utf8") };
      }
      throw new SecretAccessError(`Secret ${secretId} is not in ${file}.`, "not-found");
    },
  };
}

/** Reads `primary`; a secret or version it does not have is read from `fallback` (the emulator: the local server, then `.secret.local`). */
export function layeredSource(primary: SecretSource, fallback: SecretSource): SecretSource {
  return {
    async access(secretId, version) {
      try {
        return await primary.access(secretId, version);
      } catch (error) {
        if (error instanceof SecretAccessError && error.reason === "not-found") return fallback.access(secretId, version);
        throw error;
      }
    },
  };
}
