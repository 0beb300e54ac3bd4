import { FieldPath, Timestamp, type Firestore, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { ValidationError } from "../lib/errors";
import { queryShape, runQuery, type QueryShape } from "../lib/firestore-queries";
import { requireRecord } from "../lib/firestore-records";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import { DEFAULT_PAGE_SIZE } from "./prompt-limits";
import type { LabelHistoryOptions, ListPromptsOptions, PageOptions } from "./prompt-schemas";
import {
  LABEL_EVENTS,
  labelEventsPath,
  PROMPTS,
  promptsPath,
  sequenceId,
  storedLabelEventSchema,
  storedPromptSchema,
  storedVersionSchema,
  VERSIONS,
  versionsPath,
  type PromptRecord,
  type StoredLabelEvent,
  type StoredVersion,
} from "./prompt-records";
import { toLabelEvent, toPromptView } from "./prompt-store";
import type { LabelEvent, PromptVersionSummary, PromptView } from "./prompt-types";
import { searchQueryWords } from "./search-tokens";

/**
 * Most documents one list call reads while filtering in memory (a search of several words, or
 * search plus tag). A page may then hold fewer items than asked, with a cursor to go on.
 */
export const MAX_SCANNED_PER_PAGE = 500;

/** The list queries' shapes (the index check proves firestore.indexes.json serves each). */
export const PROMPT_LIST_QUERIES = {
  prompts: queryShape({
    name: "prompts.list",
    collectionGroup: PROMPTS,
    equality: ["archived"],
    optionalArrayContains: ["searchTokens", "tags"],
    orderBy: [["createdAt", "desc"], ["__name__", "desc"]],
  }),
  versions: queryShape({ name: "prompts.listVersions", collectionGroup: VERSIONS, orderBy: [["__name__", "desc"]] }),
  labelHistory: queryShape({ name: "prompts.listLabelHistory", collectionGroup: LABEL_EVENTS, optionalEquality: ["label"], orderBy: [["__name__", "desc"]] }),
};

const PROMPT = { kind: "prompt" };
const VERSION = { kind: "prompt version" };
const LABEL_EVENT = { kind: "label event" };

export type PromptQueriesDeps = { db: Pick<Firestore, "collection"> };

/**
 * Lists, each paginated by an opaque cursor over a stable order that ends in the document id:
 * prompts newest first (createdAt, id), versions newest first (id = padded number), label
 * history newest first (id = padded sequence). Callers check access first.
 */
export function createPromptQueries({ db }: PromptQueriesDeps) {
  return {
    /**
     * Active (or, with `archived: true`, archived) prompts. `search` matches every word (name and
     * tags by prefix, description by whole word); `tag` matches one tag exactly. Firestore allows
     * one `array-contains` per query, so the longest search word is queried and the remaining
     * words and the tag are checked in memory.
     */
    async listPrompts(workspaceId: string, options: ListPromptsOptions): Promise<Page<PromptView>> {
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      const words = options.search === undefined ? null : searchQueryWords(options.search);
      let query: Query = db.collection(promptsPath(workspaceId)).where("archived", "==", options.archived ?? false);
      if (words) query = query.where("searchTokens", "array-contains", words.primary);
      else if (options.tag !== undefined) query = query.where("tags", "array-contains", options.tag);
      query = query.orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? promptCursor(options.cursor) : undefined;

      const matches = ({ data }: PromptRecord): boolean => {
        if (data.deleting) return false;
        if (words && options.tag !== undefined && !data.tags.includes(options.tag)) return false;
        return !words || words.others.every((word) => data.searchTokens.includes(word));
      };
      const filtered = Boolean(words && (options.tag !== undefined || words.others.length > 0));
      const page = await scan(PROMPT_LIST_QUERIES.prompts, query, pageSize, after, filtered, {
        read: (doc): PromptRecord => ({ id: doc.id, data: requireRecord(doc, storedPromptSchema, PROMPT) }),
        matches,
        position: ({ id, data }) => ({ cursor: [data.createdAt.toMillis(), id], startAfter: [data.createdAt, id] }),
      });
      return { items: page.items.map((record) => toPromptView(workspaceId, record)), nextCursor: page.nextCursor };
    },

    /** Versions of a prompt, newest first, without their text; with the labels pointing at each. */
    async listVersions(workspaceId: string, prompt: PromptRecord, options: PageOptions): Promise<Page<PromptVersionSummary>> {
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      const query = db.collection(versionsPath(workspaceId, prompt.id)).orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? [sequenceId(numberCursor(options.cursor))] : undefined;
      const page = await scan(PROMPT_LIST_QUERIES.versions, query, pageSize, after, false, {
        read: (doc): StoredVersion => requireRecord(doc, storedVersionSchema, VERSION),
        matches: () => true,
        position: (data) => ({ cursor: [data.version], startAfter: [sequenceId(data.version)] }),
      });
      const labelsOf = (version: number) => Object.entries(prompt.data.labels).filter(([, v]) => v === version).map(([label]) => label).sort();
      return {
        items: page.items.map((data) => ({ version: data.version, createdBy: data.createdBy, createdAt: data.createdAt.toDate().toISOString(), ...(data.message ? { message: data.message } : {}), labels: labelsOf(data.version) })),
        nextCursor: page.nextCursor,
      };
    },

    /** Label moves of a prompt, newest first, optionally of one label. */
    async listLabelHistory(workspaceId: string, promptId: string, options: LabelHistoryOptions): Promise<Page<LabelEvent>> {
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      let query: Query = db.collection(labelEventsPath(workspaceId, promptId));
      if (options.label !== undefined) query = query.where("label", "==", options.label);
      query = query.orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? [sequenceId(numberCursor(options.cursor))] : undefined;
      const page = await scan(PROMPT_LIST_QUERIES.labelHistory, query, pageSize, after, false, {
        read: (doc): { id: string; data: StoredLabelEvent } => ({ id: doc.id, data: requireRecord(doc, storedLabelEventSchema, LABEL_EVENT) }),
        matches: () => true,
        position: ({ data }) => ({ cursor: [data.seq], startAfter: [sequenceId(data.seq)] }),
      });
      return { items: page.items.map(({ id, data }) => toLabelEvent(id, data)), nextCursor: page.nextCursor };
    },
  };
}

/** Where a list stands after an item: the opaque cursor's values and the query's `startAfter`. */
type Position = { cursor: Array<string | number>; startAfter: unknown[] };

/** How a list reads its documents: parse one, keep it or not, and where the list stands after it. */
type Reader<T> = { read: (doc: QueryDocumentSnapshot) => T; matches: (item: T) => boolean; position: (item: T) => Position };

/**
 * Reads a page: up to `pageSize` matching documents after `after`. One extra match is looked
 * for, so `nextCursor` is null exactly when nothing follows; if the scan budget runs out first,
 * the cursor points after the last document read and the page may be short.
 */
async function scan<T>(shape: QueryShape, query: Query, pageSize: number, after: unknown[] | undefined, filtered: boolean, reader: Reader<T>): Promise<Page<T>> {
  const items: T[] = [];
  let lastItem: Position | undefined;
  let position = after;
  let scanned = 0;
  const batchSize = filtered ? Math.min(MAX_SCANNED_PER_PAGE, (pageSize + 1) * 4) : pageSize + 1;
  for (;;) {
    const snap = await runQuery(shape, (position ? query.startAfter(...position) : query).limit(batchSize));
    let lastRead: Position | undefined;
    for (const doc of snap.docs) {
      scanned += 1;
      const item = reader.read(doc);
      lastRead = reader.position(item);
      position = lastRead.startAfter;
      if (!reader.matches(item)) continue;
      if (items.length === pageSize && lastItem) return { items, nextCursor: encodeCursor(lastItem.cursor) };
      items.push(item);
      lastItem = lastRead;
    }
    if (snap.size < batchSize) return { items, nextCursor: null };
    if (scanned >= MAX_SCANNED_PER_PAGE && lastRead) return { items, nextCursor: encodeCursor(lastRead.cursor) };
  }
}

function promptCursor(cursor: string): unknown[] {
  const [millis, id] = decodeCursor(cursor, 2);
  if (typeof millis !== "number" || !Number.isSafeInteger(millis) || typeof id !== "string") throw invalidCursor();
  return [Timestamp.fromMillis(millis), id];
}

function numberCursor(cursor: string): number {
  const [n] = decodeCursor(cursor, 1);
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw invalidCursor();
  return n;
}

function invalidCursor(): ValidationError {
  return new ValidationError("Invalid cursor: pass back the nextCursor of a previous page", [{ path: "cursor", message: "Invalid cursor" }]);
}
