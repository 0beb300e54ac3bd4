/**
 * All state: secrets, their versions and aliases, in memory. Every change returns the
 * notification it causes (event type + resource), which the service publishes to the secret's
 * topics, as production does for each modifying call.
 */
import { randomBytes } from "node:crypto";
import { crc32c } from "./crc32c";
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from "./errors";
import { checkAlias, checkSecretId, parseProject, parseSecretName, parseVersionName } from "./names";
import { durationMs, timestampMs, toTimestamp } from "./time";
import type { FieldMask, Secret, SecretPayload, SecretVersion } from "./types";

export type EventType =
  | "SECRET_CREATE"
  | "SECRET_UPDATE"
  | "SECRET_DELETE"
  | "SECRET_VERSION_ADD"
  | "SECRET_VERSION_ENABLE"
  | "SECRET_VERSION_DISABLE"
  | "SECRET_VERSION_DESTROY"
  | "SECRET_VERSION_DESTROY_SCHEDULED"
  | "SECRET_ROTATE";

/** A change to publish: to the topics of `secret`, about `resource` (a Secret or a SecretVersion). */
export type Notification = { eventType: EventType; secret: Secret; version?: SecretVersion; deleteType?: "REQUESTED" | "EXPIRATION" };

type StoredVersion = { resource: SecretVersion; data: Buffer | null };
type StoredSecret = { resource: Secret; versions: StoredVersion[] };

export type StoreOptions = {
  /** The clock rotations, expirations and timestamps read. @default Date.now */
  now?: () => number;
};

/** Payloads are limited to 64 KiB. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Production's minimum rotation period. */
const MIN_ROTATION_PERIOD_MS = 3600_000;
const MAX_TOPICS = 10;
const MAX_ALIASES = 50;
const UPDATABLE = new Set(["labels", "topics", "rotation", "rotation.next_rotation_time", "rotation.rotation_period", "version_aliases", "annotations", "expire_time", "ttl", "version_destroy_ttl", "etag"]);

const newEtag = (): string => `"${randomBytes(7).toString("hex")}"`;
const versionNumber = (v: SecretVersion): number => Number(v.name!.split("/").pop());

export class SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  reset(): void {
    this.secrets.clear();
  }

  resetProject(project: string): void {
    for (const name of [...this.secrets.keys()]) if (name.split("/")[1] === project) this.secrets.delete(name);
  }

  requireSecret(name: string | undefined): StoredSecret {
    const secret = this.secrets.get(parseSecretName(name));
    if (!secret) throw notFound(`Secret [${name}] not found or has no versions.`);
    return secret;
  }

  list(parent: string | undefined): Secret[] {
    const project = parseProject(parent);
    return [...this.secrets.values()].filter((s) => s.resource.name!.split("/")[1] === project).map((s) => s.resource);
  }

  create(parent: string | undefined, secretId: string | undefined, input: Secret | undefined): { secret: Secret; notification: Notification } {
    parseProject(parent);
    const name = `${parent}/secrets/${checkSecretId(secretId)}`;
    if (this.secrets.has(name)) throw alreadyExists(`Secret [${name}] already exists.`);
    if (!input?.replication?.automatic && !input?.replication?.user_managed) throw invalidArgument("Secret.replication is required.");
    const resource: Secret = { ...input, name, create_time: toTimestamp(this.now()), etag: newEtag(), version_aliases: {} };
    // proto-loader's virtual oneof discriminator, not a field.
    delete resource.expiration;
    this.checkTopicsAndRotation(resource);
    this.applyExpiration(resource);
    if (input.version_aliases && Object.keys(input.version_aliases).length > 0) throw invalidArgument("Version aliases cannot be set on creation: the secret has no versions yet.");
    this.secrets.set(name, { resource, versions: [] });
    return { secret: resource, notification: { eventType: "SECRET_CREATE", secret: resource } };
  }

  update(input: Secret | undefined, mask: FieldMask | undefined): { secret: Secret; notification: Notification } {
    const stored = this.requireSecret(input?.name);
    const paths = mask?.paths ?? [];
    if (paths.length === 0) throw invalidArgument("update_mask is required.");
    for (const path of paths) if (!UPDATABLE.has(path)) throw invalidArgument(`Field [${path}] cannot be updated.`);
    this.checkEtag(stored.resource.etag, input!.etag);
    const next: Secret = { ...stored.resource };
    for (const path of paths) {
      if (path === "etag") continue;
      if (path === "rotation.next_rotation_time") next.rotation = { ...next.rotation, next_rotation_time: input!.rotation?.next_rotation_time };
      else if (path === "rotation.rotation_period") next.rotation = { ...next.rotation, rotation_period: input!.rotation?.rotation_period };
      else if (path === "version_aliases") next.version_aliases = this.checkAliases(stored, input!.version_aliases ?? {});
      else (next as Record<string, unknown>)[path] = (input as Record<string, unknown>)[path];
    }
    if (next.rotation && !next.rotation.next_rotation_time && !next.rotation.rotation_period) delete next.rotation;
    this.checkTopicsAndRotation(next);
    if (paths.includes("ttl") || paths.includes("expire_time")) this.applyExpiration(next);
    delete next.expiration;
    next.etag = newEtag();
    stored.resource = next;
    return { secret: next, notification: { eventType: "SECRET_UPDATE", secret: next } };
  }

  delete(name: string | undefined, etag: string | undefined): Notification {
    const stored = this.requireSecret(name);
    this.checkEtag(stored.resource.etag, etag);
    this.secrets.delete(stored.resource.name!);
    return { eventType: "SECRET_DELETE", secret: stored.resource, deleteType: "REQUESTED" };
  }

  addVersion(parent: string | undefined, payload: SecretPayload | undefined): { version: SecretVersion; notification: Notification } {
    const stored = this.requireSecret(parent);
    const data = payload?.data ?? Buffer.alloc(0);
    if (data.length > MAX_PAYLOAD_BYTES) throw invalidArgument(`Secret payload exceeds the ${MAX_PAYLOAD_BYTES} byte limit.`);
    const checksum = payload?.data_crc32c;
    if (checksum !== undefined && Number(checksum) !== crc32c(data)) throw invalidArgument("Checksum mismatch: data_crc32c does not match the payload.");
    const number = stored.versions.length + 1;
    const resource: SecretVersion = {
      name: `${stored.resource.name}/versions/${number}`,
      create_time: toTimestamp(this.now()),
      state: "ENABLED",
      replication_status: { automatic: {} },
      etag: newEtag(),
      client_specified_payload_checksum: checksum !== undefined,
    };
    stored.versions.push({ resource, data: Buffer.from(data) });
    return { version: resource, notification: { eventType: "SECRET_VERSION_ADD", secret: stored.resource, version: resource } };
  }

  /** Resolves a number, `latest` (the newest version, whatever its state) or an alias. */
  resolve(name: string | undefined): { secret: StoredSecret; version: StoredVersion } {
    const { secret: secretName, version } = parseVersionName(name);
    const secret = this.requireSecret(secretName);
    let number: number;
    if (version === "latest") number = secret.versions.length;
    else if (/^\d+$/.test(version)) number = Number(version);
    else {
      const aliased = secret.resource.version_aliases?.[version];
      if (aliased === undefined) throw notFound(`Secret Version [${name}] not found.`);
      number = Number(aliased);
    }
    const found = secret.versions[number - 1];
    if (!found) throw notFound(`Secret Version [${secretName}/versions/${version}] not found.`);
    return { secret, version: found };
  }

  access(name: string | undefined): { name: string; data: Buffer } {
    const { version } = this.resolve(name);
    const state = version.resource.state;
    if (state !== "ENABLED" || !version.data) throw failedPrecondition(`Secret Version [${version.resource.name}] is in ${state} state.`);
    return { name: version.resource.name!, data: version.data };
  }

  setState(name: string | undefined, etag: string | undefined, target: "ENABLED" | "DISABLED" | "DESTROYED"): { version: SecretVersion; notification: Notification } {
    const { secret, version } = this.resolve(name);
    this.checkEtag(version.resource.etag, etag);
    if (version.resource.state === "DESTROYED") throw failedPrecondition(`Secret Version [${version.resource.name}] is in DESTROYED state.`);
    let eventType: EventType;
    if (target === "DESTROYED") {
      const delay = durationMs(secret.resource.version_destroy_ttl);
      if (delay > 0) {
        version.resource = { ...version.resource, state: "DISABLED", scheduled_destroy_time: toTimestamp(this.now() + delay) };
        eventType = "SECRET_VERSION_DESTROY_SCHEDULED";
      } else {
        this.destroyNow(version);
        eventType = "SECRET_VERSION_DESTROY";
      }
    } else {
      const { scheduled_destroy_time: _cancelled, ...rest } = version.resource;
      version.resource = { ...(target === "ENABLED" ? rest : version.resource), state: target };
      eventType = target === "ENABLED" ? "SECRET_VERSION_ENABLE" : "SECRET_VERSION_DISABLE";
    }
    version.resource.etag = newEtag();
    return { version: version.resource, notification: { eventType, secret: secret.resource, version: version.resource } };
  }

  /**
   * What time has made due: SECRET_ROTATE for secrets past `next_rotation_time` (which then moves
   * on by `rotation_period`, or is cleared without one), scheduled destructions, expirations.
   * `force` names a secret to rotate now whatever its schedule (as a manual `gcloud` trigger would).
   */
  tick(force?: string): Notification[] {
    const now = this.now();
    const out: Notification[] = [];
    if (force) {
      const stored = this.requireSecret(force);
      if (!stored.resource.rotation) throw failedPrecondition(`Secret [${force}] has no rotation configured.`);
      out.push(this.rotate(stored, now));
    }
    for (const stored of [...this.secrets.values()]) {
      const expire = stored.resource.expire_time;
      if (expire && timestampMs(expire) <= now) {
        this.secrets.delete(stored.resource.name!);
        out.push({ eventType: "SECRET_DELETE", secret: stored.resource, deleteType: "EXPIRATION" });
        continue;
      }
      const next = stored.resource.rotation?.next_rotation_time;
      if (next && timestampMs(next) <= now && !force) out.push(this.rotate(stored, now));
      for (const version of stored.versions) {
        const scheduled = version.resource.scheduled_destroy_time;
        if (scheduled && timestampMs(scheduled) <= now && version.resource.state !== "DESTROYED") {
          this.destroyNow(version);
          out.push({ eventType: "SECRET_VERSION_DESTROY", secret: stored.resource, version: version.resource });
        }
      }
    }
    return out;
  }

  private rotate(stored: StoredSecret, now: number): Notification {
    const rotation = { ...stored.resource.rotation };
    const period = durationMs(rotation.rotation_period);
    if (period > 0) {
      // As if the scheduled time had come (a forced run too): the next one is a period after it.
      let next = (timestampMs(rotation.next_rotation_time) || now) + period;
      while (next <= now) next += period;
      rotation.next_rotation_time = toTimestamp(next);
    } else delete rotation.next_rotation_time;
    stored.resource = { ...stored.resource, rotation };
    return { eventType: "SECRET_ROTATE", secret: stored.resource };
  }

  private destroyNow(version: StoredVersion): void {
    const { scheduled_destroy_time: _done, ...rest } = version.resource;
    version.resource = { ...rest, state: "DESTROYED", destroy_time: toTimestamp(this.now()) };
    version.data = null;
  }

  private checkEtag(current: string | undefined, given: string | undefined): void {
    if (given && given !== current) throw aborted(`The etag provided in the request (${given}) does not match the current etag.`);
  }

  private checkTopicsAndRotation(secret: Secret): void {
    const topics = secret.topics ?? [];
    if (topics.length > MAX_TOPICS) throw invalidArgument(`A secret may have at most ${MAX_TOPICS} topics.`);
    for (const topic of topics) if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(topic.name ?? "")) throw invalidArgument(`Invalid topic name: ${topic.name ?? ""}`);
    const rotation = secret.rotation;
    if (!rotation) return;
    if (topics.length === 0) throw invalidArgument("Secret.topics must be set when Secret.rotation is set.");
    const period = durationMs(rotation.rotation_period);
    if (rotation.rotation_period && period < MIN_ROTATION_PERIOD_MS) throw invalidArgument("Secret.rotation.rotation_period must be at least 3600s.");
    if (rotation.rotation_period && !rotation.next_rotation_time) throw invalidArgument("Secret.rotation.next_rotation_time must be set when rotation_period is set.");
  }

  private checkAliases(stored: StoredSecret, aliases: Record<string, string | number>): Record<string, string> {
    const entries = Object.entries(aliases);
    if (entries.length > MAX_ALIASES) throw invalidArgument(`A secret may have at most ${MAX_ALIASES} version aliases.`);
    const out: Record<string, string> = {};
    for (const [alias, value] of entries) {
      checkAlias(alias);
      const version = stored.versions[Number(value) - 1];
      if (!version) throw invalidArgument(`Version alias [${alias}] points to version ${value}, which does not exist.`);
      if (version.resource.state === "DESTROYED") throw failedPrecondition(`Version alias [${alias}] cannot point to destroyed version ${value}.`);
      out[alias] = String(value);
    }
    return out;
  }

  private applyExpiration(secret: Secret): void {
    if (secret.ttl) {
      secret.expire_time = toTimestamp(this.now() + durationMs(secret.ttl));
      delete secret.ttl;
    }
    if (secret.expire_time && timestampMs(secret.expire_time) <= this.now()) throw invalidArgument("Secret.expire_time must be in the future.");
  }

  versionsOf(parent: string | undefined): SecretVersion[] {
    return this.requireSecret(parent).versions.map((v) => v.resource).sort((a, b) => versionNumber(b) - versionNumber(a));
  }
}
