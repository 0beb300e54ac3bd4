import { FieldPath, Timestamp, type Firestore, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { ValidationError } from "../lib/errors";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import { parseInput } from "../lib/validation";
import { DEFAULT_PAGE_SIZE } from "./prompt-limits";
import { labelHistoryOptions, listPromptsOptions, pageOptions, type LabelHistoryOptions, type ListPromptsOptions, type PageOptions } from "./prompt-schemas";
import {
  labelEventsPath,
  promptFromSnapshot,
  promptsPath,
  sequenceId,
  toLabelEvent,
  toPromptView,
  versionsPath,
  type PromptRecord,
  type StoredLabelEvent,
  type StoredPrompt,
  type StoredVersion,
} from "./prompt-store";
import type { LabelEvent, PromptVersionSummary, PromptView } from "./prompt-types";
import { searchQueryWords } from "./search-tokens";

/**
 * Most documents one list call reads while filtering in memory (a search of several words, or
 * search plus tag). A page may then hold fewer items than asked, with a cursor to go on.
 */
export const MAX_SCANNED_PER_PAGE = 500;

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
    async listPrompts(workspaceId: string, input: ListPromptsOptions): Promise<Page<PromptView>> {
      const options = parseInput(listPromptsOptions, input);
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      const words = options.search === undefined ? null : searchQueryWords(options.search);
      let query: Query = db.collection(promptsPath(workspaceId)).where("archived", "==", options.archived ?? false);
      if (words) query = query.where("searchTokens", "array-contains", words.primary);
      else if (options.tag !== undefined) query = query.where("tags", "array-contains", options.tag);
      query = query.orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? promptCursor(options.cursor) : undefined;

      const matches = (doc: QueryDocumentSnapshot): boolean => {
        const data = doc.data() as StoredPrompt;
        if (data.deleting) return false;
        if (words && options.tag !== undefined && !data.tags.includes(options.tag)) return false;
        return !words || words.others.every((word) => data.searchTokens.includes(word));
      };
      const filtered = Boolean(words && (options.tag !== undefined || words.others.length > 0));
      const page = await scan(query, pageSize, after, matches, filtered, (doc) => [(doc.get("createdAt") as Timestamp).toMillis(), doc.id]);
      return {
        items: page.items.map((doc) => toPromptView(workspaceId, promptFromSnapshot(doc) as PromptRecord)),
        nextCursor: page.nextCursor,
      };
    },

    /** Versions of a prompt, newest first, without their text; with the labels pointing at each. */
    async listVersions(workspaceId: string, prompt: PromptRecord, input: PageOptions): Promise<Page<PromptVersionSummary>> {
      const options = parseInput(pageOptions, input);
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      const query = db.collection(versionsPath(workspaceId, prompt.id)).orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? [sequenceId(numberCursor(options.cursor))] : undefined;
      const page = await scan(query, pageSize, after, () => true, false, (doc) => [Number(doc.id)]);
      const labelsOf = (version: number) => Object.entries(prompt.data.labels).filter(([, v]) => v === version).map(([label]) => label).sort();
      return {
        items: page.items.map((doc) => {
          const data = doc.data() as StoredVersion;
          return { version: data.version, createdBy: data.createdBy, createdAt: data.createdAt.toDate().toISOString(), ...(data.message ? { message: data.message } : {}), labels: labelsOf(data.version) };
        }),
        nextCursor: page.nextCursor,
      };
    },

    /** Label moves of a prompt, newest first, optionally of one label. */
    async listLabelHistory(workspaceId: string, promptId: string, input: LabelHistoryOptions): Promise<Page<LabelEvent>> {
      const options = parseInput(labelHistoryOptions, input);
      const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
      let query: Query = db.collection(labelEventsPath(workspaceId, promptId));
      if (options.label !== undefined) query = query.where("label", "==", options.label);
      query = query.orderBy(FieldPath.documentId(), "desc");
      const after = options.cursor ? [sequenceId(numberCursor(options.cursor))] : undefined;
      const page = await scan(query, pageSize, after, () => true, false, (doc) => [Number(doc.id)]);
      return { items: page.items.map((doc) => toLabelEvent(doc.id, doc.data() as StoredLabelEvent)), nextCursor: page.nextCursor };
    },
  };
}

type CursorOf = (doc: QueryDocumentSnapshot) => Array<string | number>;

/**
 * Reads a page: up to `pageSize` matching documents after `after`. One extra match is looked
 * for, so `nextCursor` is null exactly when nothing follows; if the scan budget runs out first,
 * the cursor points after the last document read and the page may be short.
 */
async function scan(query: Query, pageSize: number, after: unknown[] | undefined, matches: (doc: QueryDocumentSnapshot) => boolean, filtered: boolean, cursorOf: CursorOf) {
  const items: QueryDocumentSnapshot[] = [];
  let position = after;
  let scanned = 0;
  const batchSize = filtered ? Math.min(MAX_SCANNED_PER_PAGE, (pageSize + 1) * 4) : pageSize + 1;
  for (;;) {
    const snap = await (position ? query.startAfter(...position) : query).limit(batchSize).get();
    for (const doc of snap.docs) {
      scanned += 1;
      position = toPosition(cursorOf(doc));
      if (!matches(doc)) continue;
      if (items.length === pageSize) {
        const last = items[items.length - 1] as QueryDocumentSnapshot;
        return { items, nextCursor: encodeCursor(cursorOf(last)) };
      }
      items.push(doc);
    }
    if (snap.size < batchSize) return { items, nextCursor: null };
    if (scanned >= MAX_SCANNED_PER_PAGE) {
      const lastRead = snap.docs[snap.docs.length - 1] as QueryDocumentSnapshot;
      return { items, nextCursor: encodeCursor(cursorOf(lastRead)) };
    }
  }
}

/** Cursor values as the query's `startAfter` wants them. */
function toPosition(values: Array<string | number>): unknown[] {
  return values.length === 2 ? [Timestamp.fromMillis(values[0] as number), values[1]] : [sequenceId(values[0] as number)];
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
