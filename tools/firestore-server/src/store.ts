/**
 * In-memory document storage for one database.
 *
 * Documents are grouped by collection path, so a query reads only its collection (or, for a
 * collection group, the collections with that id). Each document keeps a short history of
 * versions (deletions are versions too) so reads at a past `read_time` and read-only
 * transactions see a consistent snapshot.
 */
import { comparePaths, compareSegments, compareUtf8, lastSegment, splitDocPath } from "./paths";
import type { Micros } from "./time";
import type { Fields } from "./types";

export interface StoredDoc {
  path: string;
  fields: Fields;
  createTime: Micros;
  updateTime: Micros;
}

interface Version {
  time: Micros;
  doc: StoredDoc | null;
}

export interface DocEntry {
  path: string;
  id: string;
  versions: Version[];
}

/** Versions kept per document; older ones are dropped (reads that far back see the oldest). */
const MAX_VERSIONS = 16;

export class Collection {
  readonly entries = new Map<string, DocEntry>();
  private sorted: DocEntry[] | null = null;
  liveCount = 0;

  constructor(
    readonly path: string,
    readonly collectionId: string,
  ) {}

  /** Entries in document-id order; the sort is cached until the membership changes. */
  sortedEntries(): DocEntry[] {
    if (!this.sorted) this.sorted = [...this.entries.values()].sort((a, b) => compareSegments(a.id, b.id));
    return this.sorted;
  }

  add(entry: DocEntry): void {
    this.entries.set(entry.id, entry);
    this.sorted = null;
  }
}

export function docAt(entry: DocEntry, readTime?: Micros): StoredDoc | null {
  const versions = entry.versions;
  if (readTime === undefined) return versions[versions.length - 1]!.doc;
  for (let i = versions.length - 1; i >= 0; i--) {
    if (versions[i]!.time <= readTime) return versions[i]!.doc;
  }
  return null;
}

export class Database {
  readonly collections = new Map<string, Collection>();
  /** collection id -> collections with that id (collection group queries). */
  readonly byCollectionId = new Map<string, Set<Collection>>();

  private collection(path: string, create: boolean): Collection | undefined {
    let c = this.collections.get(path);
    if (!c && create) {
      c = new Collection(path, lastSegment(path));
      this.collections.set(path, c);
      let group = this.byCollectionId.get(c.collectionId);
      if (!group) this.byCollectionId.set(c.collectionId, (group = new Set()));
      group.add(c);
    }
    return c;
  }

  getCollection(path: string): Collection | undefined {
    return this.collections.get(path);
  }

  get(path: string, readTime?: Micros): StoredDoc | null {
    const { collection, id } = splitDocPath(path);
    const entry = this.collections.get(collection)?.entries.get(id);
    return entry ? docAt(entry, readTime) : null;
  }

  /** Records a new version (a document or a deletion) at `time`. */
  put(path: string, doc: StoredDoc | null, time: Micros): void {
    const { collection, id } = splitDocPath(path);
    const c = this.collection(collection, true)!;
    let entry = c.entries.get(id);
    if (!entry) {
      if (!doc) return;
      entry = { path, id, versions: [] };
      c.add(entry);
    }
    const before = entry.versions.length > 0 ? entry.versions[entry.versions.length - 1]!.doc : null;
    if (before && !doc) c.liveCount--;
    if (!before && doc) c.liveCount++;
    entry.versions.push({ time, doc });
    if (entry.versions.length > MAX_VERSIONS) entry.versions.shift();
  }

  /** Collections whose documents a query over `parent` + `collectionId` reads. */
  collectionsFor(parentPath: string, collectionId: string, allDescendants: boolean): Collection[] {
    if (!allDescendants) {
      const c = this.collections.get(parentPath === "" ? collectionId : `${parentPath}/${collectionId}`);
      return c ? [c] : [];
    }
    // Kindless (empty id): every collection below the parent, as recursiveDelete queries.
    const group = collectionId === "" ? new Set(this.collections.values()) : this.byCollectionId.get(collectionId);
    if (!group) return [];
    const prefix = parentPath === "" ? "" : parentPath + "/";
    const out: Collection[] = [];
    for (const c of group) if (prefix === "" || c.path.startsWith(prefix)) out.push(c);
    // Group results come back in full path order.
    return out.sort((a, b) => comparePaths(a.path, b.path));
  }

  /** Collection paths that contain at least one live document somewhere in their subtree. */
  private nonEmptyCollections(): Set<string> {
    const out = new Set<string>();
    for (const c of this.collections.values()) {
      if (c.liveCount === 0) continue;
      // Mark this collection and every ancestor collection.
      const segments = c.path.split("/");
      for (let n = segments.length; n >= 1; n -= 2) {
        const p = segments.slice(0, n).join("/");
        if (out.has(p)) break;
        out.add(p);
      }
    }
    return out;
  }

  /** Ids of the non-empty collections directly under a document ("" = database root). */
  listCollectionIds(docPath: string): string[] {
    const depth = docPath === "" ? 1 : docPath.split("/").length + 1;
    const prefix = docPath === "" ? "" : docPath + "/";
    const ids = new Set<string>();
    for (const p of this.nonEmptyCollections()) {
      if (!p.startsWith(prefix)) continue;
      if (p.split("/").length === depth) ids.add(lastSegment(p));
    }
    return [...ids].sort(compareUtf8);
  }

  /** Ids of documents of a collection that do not exist but have non-empty subcollections. */
  missingWithChildren(collectionPath: string): Set<string> {
    const prefix = collectionPath + "/";
    const depth = collectionPath.split("/").length + 2;
    const ids = new Set<string>();
    for (const p of this.nonEmptyCollections()) {
      if (!p.startsWith(prefix)) continue;
      const segments = p.split("/");
      if (segments.length >= depth) ids.add(segments[depth - 2]!);
    }
    return ids;
  }
}
