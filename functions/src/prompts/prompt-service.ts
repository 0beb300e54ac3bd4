import { FieldPath, Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import { promptCacheKeys, promptCacheTags } from "./prompt-cache-keys";
import type { AccessControl } from "../identity/access-control";
import type { Action } from "../identity/permissions";
import { actorUid, principalId, type Principal } from "../identity/principal";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from "../lib/errors";
import { queryShape, runQuery, type QueryShape } from "../lib/firestore-queries";
import { readRecord } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { appendEvent } from "../events/outbox";
import { diffVersions as diffContent, type VersionDiff } from "./prompt-diff";
import { PROMPT_LIMITS } from "./prompt-limits";
import { createPromptQueries } from "./prompt-queries";
import {
  type CreatePromptBody,
  type CreateVersionBody,
  type UpdatePromptMetadataBody,
} from "./prompt-schemas";
import {
  labelEventsPath,
  promptPath,
  promptsPath,
  sequenceId,
  storedPromptSchema,
  storedVersionSchema,
  versionPath,
  versionsPath,
  type PromptRecord,
  type StoredLabelEvent,
  type StoredPrompt,
  type StoredVersion,
} from "./prompt-records";
import { labelTarget, promptFromSnapshot, toPromptView, toStoredVariable, toVersionView, withoutUndefined } from "./prompt-store";
import type { PromptVersionView, PromptView, RenderedPrompt, VersionSelector } from "./prompt-types";
import { renderTemplate } from "./render";
import { searchTokens } from "./search-tokens";
import { deleteWithTombstone, MAX_DELETES_PER_BATCH } from "../backups/tombstones";

/** A deleted prompt's children, a page at a time in id order. */
const DELETE_QUERIES = {
  versions: queryShape({ name: "prompts.deleteVersions", collectionGroup: "versions", orderBy: [["__name__", "asc"]] }),
  labelEvents: queryShape({ name: "prompts.deleteLabelEvents", collectionGroup: "labelEvents", orderBy: [["__name__", "asc"]] }),
};

export type PromptServiceDeps = {
  db: Pick<Firestore, "collection" | "doc" | "runTransaction" | "batch">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  /** Prompt documents and versions are read through it; every write here invalidates what it changed. */
  cache: ReadThroughCache;
};

/** Concurrent edits of one prompt serialise on its document; allow plenty of retries. */
const TRANSACTION_ATTEMPTS = 25;
/** Documents deleted per batch when a prompt is deleted. */
const DELETE_BATCH = MAX_DELETES_PER_BATCH;

export function createPromptService({ db, clock, access, cache }: PromptServiceDeps) {
  const now = () => Timestamp.fromMillis(clock.now());
  const queries = createPromptQueries({ db });

  // The only reads outside transactions, both through the cache. Values come back frozen.
  // Versions are immutable (only a hard delete drops them); the prompt document changes on every
  // write of this service, each of which calls `forgetPrompt` after it commits.
  async function loadPrompt(workspaceId: string, promptId: string): Promise<PromptRecord> {
    const record = await cache.getOrLoad(promptCacheKeys.prompt(workspaceId, promptId), async () => promptFromSnapshot(await db.doc(promptPath(workspaceId, promptId)).get()), "prompt");
    if (!record) throw new NotFoundError("Prompt not found.");
    return record;
  }

  async function loadVersion(workspaceId: string, promptId: string, version: number): Promise<PromptVersionView> {
    const view = await cache.getOrLoad(
      promptCacheKeys.promptVersion(workspaceId, promptId, version),
      async () => {
        const stored = readRecord(await db.doc(versionPath(workspaceId, promptId, version)).get(), storedVersionSchema, { kind: "prompt version" });
        return stored ? toVersionView(workspaceId, promptId, stored) : null;
      },
      "prompt",
    );
    if (!view) throw new NotFoundError(`Version ${version} not found.`);
    return view;
  }

  const forgetPrompt = (workspaceId: string, promptId: string) => cache.invalidate({ keys: [promptCacheKeys.prompt(workspaceId, promptId)] });

  function versionNumberOf(prompt: PromptRecord, selector: VersionSelector): number {
    if (selector.label !== undefined) {
      const version = labelTarget(prompt.data.labels, selector.label);
      if (version === undefined) throw new NotFoundError(`Label '${selector.label}' not found.`);
      return version;
    }
    if (selector.version !== undefined) {
      if (selector.version > prompt.data.latestVersion) throw new NotFoundError(`Version ${selector.version} not found.`);
      return selector.version;
    }
    return prompt.data.latestVersion;
  }

  async function resolve(workspaceId: string, promptId: string, selector: VersionSelector) {
    const prompt = await loadPrompt(workspaceId, promptId);
    return { prompt, version: await loadVersion(workspaceId, promptId, versionNumberOf(prompt, selector)) };
  }

  async function authorize(principal: Principal, workspaceId: string, action: Action): Promise<void> {
    await access.require(principal, workspaceId, action);
  }

  /** Reads the prompt inside a transaction and refuses changes to archived ones. */
  async function writablePrompt(tx: Transaction, workspaceId: string, promptId: string): Promise<PromptRecord> {
    const record = promptFromSnapshot(await tx.get(db.doc(promptPath(workspaceId, promptId))));
    if (!record) throw new NotFoundError("Prompt not found.");
    if (record.data.archived) throw new FailedPreconditionError("The prompt is archived; unarchive it first.");
    return record;
  }

  function storedVersion(version: number, content: CreateVersionBody, principal: Principal, at: Timestamp): StoredVersion {
    return withoutUndefined({
      version,
      template: content.template,
      systemTemplate: content.systemTemplate,
      variables: content.variables.map(toStoredVariable),
      model: content.model,
      temperature: content.temperature,
      maxOutputTokens: content.maxOutputTokens,
      message: content.message || undefined,
      createdBy: actorUid(principal),
      createdAt: at,
      updatedAt: at,
    });
  }

  function labelEvent(principal: Principal, seq: number, label: string, fromVersion: number | null, toVersion: number | null, at: Timestamp): StoredLabelEvent {
    const action = fromVersion === null ? "set" : toVersion === null ? "deleted" : "moved";
    return { seq, label, action, fromVersion, toVersion, actorUid: actorUid(principal), actor: principalId(principal), at, updatedAt: at };
  }

  return {
    /** Creates a prompt and its version 1 together. */
    async createPrompt(principal: Principal, workspaceId: string, body: CreatePromptBody): Promise<{ prompt: PromptView; version: PromptVersionView }> {
      await authorize(principal, workspaceId, "prompts:write");
      const ref = db.collection(promptsPath(workspaceId)).doc();
      const at = now();
      const prompt: StoredPrompt = {
        name: body.name,
        description: body.description ?? "",
        tags: body.tags ?? [],
        searchTokens: searchTokens({ name: body.name, description: body.description ?? "", tags: body.tags ?? [] }),
        latestVersion: 1,
        labels: {},
        labelEventCount: 0,
        archived: false,
        createdBy: actorUid(principal),
        createdAt: at,
        updatedAt: at,
      };
      const version = storedVersion(1, body, principal, at);
      const batch = db.batch();
      batch.create(ref, prompt);
      batch.create(db.doc(versionPath(workspaceId, ref.id, 1)), version);
      appendEvent(db, batch, versionCreatedEvent(workspaceId, ref.id, 1, principal, at));
      await batch.commit();
      logger.info("prompts.created", { workspaceId, promptId: ref.id, actor: principalId(principal) });
      return { prompt: toPromptView(workspaceId, { id: ref.id, data: prompt }), version: toVersionView(workspaceId, ref.id, version) };
    },

    async getPrompt(principal: Principal, workspaceId: string, promptId: string): Promise<PromptView> {
      await authorize(principal, workspaceId, "prompts:read");
      return toPromptView(workspaceId, await loadPrompt(workspaceId, promptId));
    },

    async listPrompts(principal: Principal, workspaceId: string, options: Parameters<typeof queries.listPrompts>[1] = {}) {
      await authorize(principal, workspaceId, "prompts:read");
      return queries.listPrompts(workspaceId, options);
    },

    /** Renames, re-describes or re-tags a prompt; content is untouched, so no new version. */
    async updatePromptMetadata(principal: Principal, workspaceId: string, promptId: string, body: UpdatePromptMetadataBody): Promise<PromptView> {
      await authorize(principal, workspaceId, "prompts:write");
      const ref = db.doc(promptPath(workspaceId, promptId));
      const updated = await db.runTransaction(async (tx) => {
        const record = await writablePrompt(tx, workspaceId, promptId);
        const next = { name: body.name ?? record.data.name, description: body.description ?? record.data.description, tags: body.tags ?? record.data.tags };
        const changes = { ...next, searchTokens: searchTokens(next), updatedAt: now() };
        tx.update(ref, changes);
        return { id: promptId, data: { ...record.data, ...changes } };
      }, { maxAttempts: TRANSACTION_ATTEMPTS });
      await forgetPrompt(workspaceId, promptId);
      return toPromptView(workspaceId, updated);
    },

    /** Saves new content as version latest+1. The number is taken in a transaction: no gaps, no duplicates. */
    async createVersion(principal: Principal, workspaceId: string, promptId: string, body: CreateVersionBody): Promise<PromptVersionView> {
      await authorize(principal, workspaceId, "prompts:write");
      const ref = db.doc(promptPath(workspaceId, promptId));
      const version = await db.runTransaction(async (tx) => {
        const record = await writablePrompt(tx, workspaceId, promptId);
        const latest = record.data.latestVersion;
        if (body.baseVersion !== undefined && body.baseVersion !== latest) {
          throw new FailedPreconditionError(`Version ${latest} was saved after version ${body.baseVersion}; review it and retry.`, { latestVersion: latest });
        }
        if (latest >= PROMPT_LIMITS.versions) throw new FailedPreconditionError(`A prompt may have at most ${PROMPT_LIMITS.versions} versions.`);
        const at = now();
        const stored = storedVersion(latest + 1, body, principal, at);
        tx.create(db.doc(versionPath(workspaceId, promptId, latest + 1)), stored);
        tx.update(ref, { latestVersion: latest + 1, updatedAt: at });
        appendEvent(db, tx, versionCreatedEvent(workspaceId, promptId, latest + 1, principal, at));
        return stored;
      }, { maxAttempts: TRANSACTION_ATTEMPTS });
      // The new number may have been looked up (and remembered as missing) before it existed.
      await cache.invalidate({ keys: [promptCacheKeys.prompt(workspaceId, promptId), promptCacheKeys.promptVersion(workspaceId, promptId, version.version)] });
      logger.info("prompts.version_created", { workspaceId, promptId, version: version.version, actor: principalId(principal) });
      return toVersionView(workspaceId, promptId, version);
    },

    /** One version: by number, by label, or (neither) the latest. Archived prompts stay readable. */
    async getVersion(principal: Principal, workspaceId: string, promptId: string, selector: VersionSelector = {}): Promise<PromptVersionView> {
      await authorize(principal, workspaceId, "prompts:read");
      return (await resolve(workspaceId, promptId, selector)).version;
    },

    /**
     * The version an execution should run. Allowed with `prompts:read` or `executions:run` (an API
     * key made only to run prompts needs no read scope); archived prompts are refused.
     */
    async resolveVersion(principal: Principal, workspaceId: string, promptId: string, selector: VersionSelector = {}): Promise<PromptVersionView> {
      try {
        await access.require(principal, workspaceId, "executions:run");
      } catch (error) {
        if (!(error instanceof PermissionDeniedError)) throw error;
        await access.require(principal, workspaceId, "prompts:read");
      }
      const { prompt, version } = await resolve(workspaceId, promptId, selector);
      if (prompt.data.archived) throw new FailedPreconditionError("The prompt is archived; unarchive it to run it.");
      return version;
    },

    async listVersions(principal: Principal, workspaceId: string, promptId: string, options: Parameters<typeof queries.listVersions>[2] = {}) {
      await authorize(principal, workspaceId, "prompts:read");
      return queries.listVersions(workspaceId, await loadPrompt(workspaceId, promptId), options);
    },

    /** Points a label at a version (creating or moving it); moving `production` back is a rollback. */
    async setLabel(principal: Principal, workspaceId: string, promptId: string, label: string, version: number) {
      await authorize(principal, workspaceId, "prompts:write");
      const name = label;
      const ref = db.doc(promptPath(workspaceId, promptId));
      const result = await db.runTransaction(async (tx) => {
        const record = await writablePrompt(tx, workspaceId, promptId);
        if (!Number.isInteger(version) || version < 1 || version > record.data.latestVersion) throw new NotFoundError(`Version ${version} not found.`);
        const previous = labelTarget(record.data.labels, name) ?? null;
        if (previous === version) return { label: name, version, previousVersion: previous };
        if (previous === null && Object.keys(record.data.labels).length >= PROMPT_LIMITS.labels) {
          throw new FailedPreconditionError(`A prompt may carry at most ${PROMPT_LIMITS.labels} labels; delete one first.`);
        }
        const seq = (record.data.labelEventCount ?? 0) + 1;
        const at = now();
        tx.update(ref, { labels: { ...record.data.labels, [name]: version }, labelEventCount: seq, updatedAt: at });
        tx.create(db.doc(`${labelEventsPath(workspaceId, promptId)}/${sequenceId(seq)}`), labelEvent(principal, seq, name, previous, version, at));
        appendEvent(db, tx, labelMovedEvent(workspaceId, promptId, name, previous, version, principal, at));
        return { label: name, version, previousVersion: previous };
      }, { maxAttempts: TRANSACTION_ATTEMPTS });
      if (result.previousVersion !== version) await forgetPrompt(workspaceId, promptId);
      logger.info("prompts.label_set", { workspaceId, promptId, label: name, version, previousVersion: result.previousVersion, actor: principalId(principal) });
      return result;
    },

    async deleteLabel(principal: Principal, workspaceId: string, promptId: string, label: string): Promise<{ label: string; previousVersion: number }> {
      await authorize(principal, workspaceId, "prompts:write");
      const name = label;
      const ref = db.doc(promptPath(workspaceId, promptId));
      const previousVersion = await db.runTransaction(async (tx) => {
        const record = await writablePrompt(tx, workspaceId, promptId);
        const previous = labelTarget(record.data.labels, name);
        if (previous === undefined) throw new NotFoundError(`Label '${name}' not found.`);
        const labels = { ...record.data.labels };
        delete labels[name];
        const seq = (record.data.labelEventCount ?? 0) + 1;
        const at = now();
        tx.update(ref, { labels, labelEventCount: seq, updatedAt: at });
        tx.create(db.doc(`${labelEventsPath(workspaceId, promptId)}/${sequenceId(seq)}`), labelEvent(principal, seq, name, previous, null, at));
        appendEvent(db, tx, labelMovedEvent(workspaceId, promptId, name, previous, null, principal, at));
        return previous;
      }, { maxAttempts: TRANSACTION_ATTEMPTS });
      await forgetPrompt(workspaceId, promptId);
      logger.info("prompts.label_deleted", { workspaceId, promptId, label: name, previousVersion, actor: principalId(principal) });
      return { label: name, previousVersion };
    },

    async listLabelHistory(principal: Principal, workspaceId: string, promptId: string, options: Parameters<typeof queries.listLabelHistory>[2] = {}) {
      await authorize(principal, workspaceId, "prompts:read");
      await loadPrompt(workspaceId, promptId);
      return queries.listLabelHistory(workspaceId, promptId, options);
    },

    async diffVersions(principal: Principal, workspaceId: string, promptId: string, from: VersionSelector, to: VersionSelector): Promise<VersionDiff> {
      await authorize(principal, workspaceId, "prompts:read");
      const prompt = await loadPrompt(workspaceId, promptId);
      const [before, after] = await Promise.all([
        loadVersion(workspaceId, promptId, versionNumberOf(prompt, from)),
        loadVersion(workspaceId, promptId, versionNumberOf(prompt, to)),
      ]);
      return diffContent(before, after);
    },

    /** Dry run: renders a version with the given variables, executing nothing. */
    async renderPrompt(principal: Principal, workspaceId: string, promptId: string, selector: VersionSelector, variables: Record<string, unknown>): Promise<RenderedPrompt & { version: number }> {
      await authorize(principal, workspaceId, "prompts:read");
      const { version } = await resolve(workspaceId, promptId, selector);
      return { version: version.version, ...renderTemplate(version, variables) };
    },

    /** Soft delete: hidden from the default list, read-only, refused by `resolveVersion`; reversible. */
    async archivePrompt(principal: Principal, workspaceId: string, promptId: string): Promise<PromptView> {
      return setArchived(principal, workspaceId, promptId, true);
    },

    async unarchivePrompt(principal: Principal, workspaceId: string, promptId: string): Promise<PromptView> {
      return setArchived(principal, workspaceId, promptId, false);
    },

    /**
     * Hard delete of an archived prompt with all its versions and label history. The prompt is
     * marked `deleting` first (then invisible everywhere), children go in batches, the prompt
     * document last, so an interrupted delete can simply be repeated.
     */
    async deletePrompt(principal: Principal, workspaceId: string, promptId: string): Promise<{ deleted: true; versionsDeleted: number }> {
      await authorize(principal, workspaceId, "prompts:write");
      const ref = db.doc(promptPath(workspaceId, promptId));
      await db.runTransaction(async (tx) => {
        const stored = readRecord(await tx.get(ref), storedPromptSchema, { kind: "prompt" });
        if (!stored) throw new NotFoundError("Prompt not found.");
        if (!stored.archived) throw new FailedPreconditionError("Archive the prompt before deleting it.");
        tx.update(ref, { deleting: true, updatedAt: now() });
      }, { maxAttempts: TRANSACTION_ATTEMPTS });
      // Gone for every reader from here on, before its children go.
      await forgetPrompt(workspaceId, promptId);
      const versionsDeleted = await deleteAll(versionsPath(workspaceId, promptId), DELETE_QUERIES.versions);
      await deleteAll(labelEventsPath(workspaceId, promptId), DELETE_QUERIES.labelEvents);
      const last = db.batch();
      deleteWithTombstone(last, ref, clock);
      await last.commit();
      await cache.invalidate({ tags: [promptCacheTags.prompt(workspaceId, promptId)] });
      logger.info("prompts.deleted", { workspaceId, promptId, versionsDeleted, actor: principalId(principal) });
      return { deleted: true, versionsDeleted };
    },
  };

  async function setArchived(principal: Principal, workspaceId: string, promptId: string, archived: boolean): Promise<PromptView> {
    await authorize(principal, workspaceId, "prompts:write");
    const ref = db.doc(promptPath(workspaceId, promptId));
    const updated = await db.runTransaction(async (tx) => {
      const record = promptFromSnapshot(await tx.get(ref));
      if (!record) throw new NotFoundError("Prompt not found.");
      const changes = { archived, updatedAt: now() };
      if (record.data.archived !== archived) tx.update(ref, changes);
      return { id: promptId, data: { ...record.data, ...changes } };
    }, { maxAttempts: TRANSACTION_ATTEMPTS });
    await forgetPrompt(workspaceId, promptId);
    logger.info(archived ? "prompts.archived" : "prompts.unarchived", { workspaceId, promptId, actor: principalId(principal) });
    return toPromptView(workspaceId, updated);
  }

  async function deleteAll(collectionPath: string, shape: QueryShape): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await runQuery(shape, db.collection(collectionPath).orderBy(FieldPath.documentId()).limit(DELETE_BATCH));
      if (page.empty) return deleted;
      const batch = db.batch();
      for (const doc of page.docs) deleteWithTombstone(batch, doc.ref, clock);
      await batch.commit();
      deleted += page.size;
    }
  }
}

export type PromptService = ReturnType<typeof createPromptService>;

/** `prompt.version_created`, written with the version it announces. */
function versionCreatedEvent(workspaceId: string, promptId: string, version: number, principal: Principal, at: Timestamp) {
  return { type: "prompt.version_created" as const, workspaceId, subject: `prompts/${promptId}/versions/${version}`, occurredAt: at.toMillis(), data: { promptId, version, createdBy: actorUid(principal) } };
}

/** `prompt.label_moved`, written with the label change; `version` null when the label was deleted. */
function labelMovedEvent(workspaceId: string, promptId: string, label: string, previousVersion: number | null, version: number | null, principal: Principal, at: Timestamp) {
  return { type: "prompt.label_moved" as const, workspaceId, subject: `prompts/${promptId}`, occurredAt: at.toMillis(), data: { promptId, label, version, previousVersion, movedBy: actorUid(principal) } };
}
