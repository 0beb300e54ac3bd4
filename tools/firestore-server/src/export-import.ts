/**
 * google.firestore.admin.v1 ExportDocuments / ImportDocuments as long-running operations, writing
 * and reading Cloud Storage through its JSON API (gcs-client.ts). The layout of an export is this
 * server's own (documented in the README), not Google's LevelDB files: an export is read back by
 * this server's import only, and restores through the same client calls as in production.
 *
 *   {prefix}/all_namespaces/all_kinds/output-{n}.ndjson      one document per line (proto3 JSON)
 *   {prefix}/{last segment of prefix}.overall_export_metadata written last: the export is complete
 */
import { randomBytes } from "node:crypto";
import { Code, invalidArgument, notFound, RpcError } from "./errors";
import type { Engine } from "./engine";
import { fieldsFromJson } from "./json-values";
import { documentName, lastSegment, parseDatabase, splitDocPath, type DbName } from "./paths";
import { documentToJson, microsToRfc3339, type JsonDocument } from "./proto-json";
import { docAt } from "./store";
import { currentTime, fromTimestamp, toTimestamp, type Micros } from "./time";
import type { Timestamp, Write } from "./types";
import { GcsClient, parseGcsUri } from "./gcs-client";

export const EXPORT_FORMAT = "rag-firestore-server-export/v1";
const ADMIN = "type.googleapis.com/google.firestore.admin.v1";
/** Documents per output file and per import commit. */
const DOCS_PER_FILE = 1000;
const DOCS_PER_COMMIT = 500;

export type ExportMetadataFile = {
  format: typeof EXPORT_FORMAT;
  database: string;
  snapshotTime: string;
  collectionIds: string[];
  documentCount: number;
  bytes: number;
  files: Array<{ name: string; documents: number; bytes: number }>;
};

type State = "PROCESSING" | "SUCCESSFUL" | "FAILED" | "CANCELLED";

type OperationRecord = {
  name: string;
  db: DbName;
  kind: "ExportDocuments" | "ImportDocuments";
  state: State;
  startTime: Timestamp;
  endTime?: Timestamp;
  collectionIds: string[];
  uri: string;
  documents: { estimated: number; completed: number };
  bytes: { estimated: number; completed: number };
  snapshotTime?: Timestamp;
  error?: { code: number; message: string };
  cancelled: boolean;
};

export type ExportRequest = { name?: string; collection_ids?: string[]; output_uri_prefix?: string; namespace_ids?: string[]; snapshot_time?: Timestamp };
export type ImportRequest = { name?: string; collection_ids?: string[]; input_uri_prefix?: string; namespace_ids?: string[] };

/** Export folder name when only a bucket is given, as production names it: `2025-01-02T03:04:05_12345`. */
function defaultFolder(now: Micros): string {
  return `${new Date(now / 1000).toISOString().slice(0, 19)}_${String(now % 100_000).padStart(5, "0")}`;
}

function checkNamespaces(ids: string[] | undefined): void {
  // Firestore in Native mode has one namespace, the default one ("" or "(default)").
  if ((ids ?? []).some((id) => id !== "" && id !== "(default)")) throw invalidArgument("Only the default namespace exists in Firestore.");
}

export class AdminOperations {
  private readonly operations = new Map<string, OperationRecord>();

  constructor(
    private readonly engine: Engine,
    private readonly storageUrl?: string,
  ) {}

  exportDocuments(req: ExportRequest): unknown {
    const db = parseDatabase(req.name ?? "");
    checkNamespaces(req.namespace_ids);
    const now = currentTime();
    const target = parseGcsUri(req.output_uri_prefix ?? "");
    const path = target.path || defaultFolder(now);
    const op = this.begin(db, "ExportDocuments", `gs://${target.bucket}/${path}`, req.collection_ids ?? []);
    const snapshot = req.snapshot_time ? fromTimestamp(req.snapshot_time) : now;
    op.snapshotTime = toTimestamp(snapshot);
    const gcs = GcsClient.fromEnv(this.storageUrl);
    this.run(op, () => this.writeExport(op, gcs, target.bucket, path, snapshot));
    return this.toProto(op);
  }

  importDocuments(req: ImportRequest): unknown {
    const db = parseDatabase(req.name ?? "");
    checkNamespaces(req.namespace_ids);
    const source = parseGcsUri(req.input_uri_prefix ?? "");
    if (!source.path) throw invalidArgument("input_uri_prefix must name an export folder, not only a bucket.");
    const op = this.begin(db, "ImportDocuments", `gs://${source.bucket}/${source.path}`, req.collection_ids ?? []);
    const gcs = GcsClient.fromEnv(this.storageUrl);
    this.run(op, () => this.readImport(op, gcs, source.bucket, source.path));
    return this.toProto(op);
  }

  getOperation(name: string): unknown {
    return this.toProto(this.find(name));
  }

  listOperations(parent: string): unknown {
    const prefix = `${parent.replace(/\/operations\/?$/, "")}/operations/`;
    return { operations: [...this.operations.values()].filter((op) => op.name.startsWith(prefix)).map((op) => this.toProto(op)) };
  }

  cancelOperation(name: string): unknown {
    const op = this.find(name);
    if (op.state === "PROCESSING") op.cancelled = true;
    return {};
  }

  deleteOperation(name: string): unknown {
    this.find(name);
    this.operations.delete(name);
    return {};
  }

  private find(name: string): OperationRecord {
    const op = this.operations.get(name);
    if (!op) throw notFound(`Operation ${name} not found.`);
    return op;
  }

  private begin(db: DbName, kind: OperationRecord["kind"], uri: string, collectionIds: string[]): OperationRecord {
    const id = `A${randomBytes(12).toString("base64url")}`;
    const op: OperationRecord = {
      name: `${db.root}/operations/${id}`,
      db,
      kind,
      state: "PROCESSING",
      startTime: toTimestamp(currentTime()),
      collectionIds,
      uri,
      documents: { estimated: 0, completed: 0 },
      bytes: { estimated: 0, completed: 0 },
      cancelled: false,
    };
    this.operations.set(op.name, op);
    return op;
  }

  /** Runs the work after the RPC has answered, as production does; the outcome lands on the operation. */
  private run(op: OperationRecord, work: () => Promise<void>): void {
    setImmediate(() => {
      work().then(
        () => this.finish(op, op.cancelled ? "CANCELLED" : "SUCCESSFUL"),
        (err: unknown) => {
          op.error = err instanceof RpcError ? { code: err.code, message: err.message } : { code: Code.INTERNAL, message: err instanceof Error ? err.message : String(err) };
          this.finish(op, "FAILED");
        },
      );
    });
  }

  private finish(op: OperationRecord, state: State): void {
    op.state = state;
    op.endTime = toTimestamp(currentTime());
    if (state === "CANCELLED") op.error = { code: Code.CANCELLED, message: "The operation was cancelled." };
  }

  private async writeExport(op: OperationRecord, gcs: GcsClient, bucket: string, path: string, snapshot: Micros): Promise<void> {
    const store = this.engine.store(op.db);
    const wanted = new Set(op.collectionIds);
    const collections = [...store.collections.values()].filter((c) => wanted.size === 0 || wanted.has(c.collectionId)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // The snapshot is taken now, before any await: later writes never leak into the export.
    const docs: JsonDocument[] = [];
    for (const c of collections) {
      for (const entry of c.sortedEntries()) {
        const doc = docAt(entry, snapshot);
        if (doc) docs.push(documentToJson(op.db, doc));
      }
    }
    op.documents.estimated = docs.length;
    const meta: ExportMetadataFile = { format: EXPORT_FORMAT, database: op.db.root, snapshotTime: microsToRfc3339(snapshot), collectionIds: op.collectionIds, documentCount: docs.length, bytes: 0, files: [] };
    for (let i = 0, n = 0; i < docs.length || n === 0; i += DOCS_PER_FILE, n++) {
      if (op.cancelled) return;
      const chunk = docs.slice(i, i + DOCS_PER_FILE);
      const body = Buffer.from(chunk.map((d) => JSON.stringify(d)).join("\n") + (chunk.length ? "\n" : ""), "utf8");
      const name = `all_namespaces/all_kinds/output-${n}.ndjson`;
      await gcs.upload(bucket, `${path}/${name}`, body, "application/x-ndjson");
      meta.files.push({ name, documents: chunk.length, bytes: body.length });
      meta.bytes += body.length;
      op.documents.completed += chunk.length;
      op.bytes.completed += body.length;
      op.bytes.estimated = op.bytes.completed;
      if (docs.length === 0) break;
    }
    await gcs.upload(bucket, `${path}/${lastSegment(path)}.overall_export_metadata`, Buffer.from(JSON.stringify(meta, null, 2)), "application/json");
  }

  private async readImport(op: OperationRecord, gcs: GcsClient, bucket: string, path: string): Promise<void> {
    const meta = await this.readMetadata(gcs, bucket, path);
    const wanted = new Set(op.collectionIds);
    const missing = [...wanted].filter((id) => meta.collectionIds.length > 0 && !meta.collectionIds.includes(id));
    if (missing.length > 0) throw invalidArgument(`The export does not contain the collections ${missing.join(", ")}.`);
    op.documents.estimated = meta.documentCount;
    op.bytes.estimated = meta.bytes;
    for (const file of meta.files) {
      if (op.cancelled) return;
      const body = await gcs.download(bucket, `${path}/${file.name}`);
      const writes: Write[] = [];
      for (const line of body.toString("utf8").split("\n")) {
        if (!line) continue;
        const doc = JSON.parse(line) as JsonDocument;
        const docPath = doc.name.slice(doc.name.indexOf("/documents/") + "/documents/".length);
        if (wanted.size > 0 && !wanted.has(lastSegment(splitDocPath(docPath).collection))) continue;
        writes.push({ update: { name: documentName(op.db, docPath), fields: fieldsFromJson(doc.fields) } });
      }
      for (let i = 0; i < writes.length; i += DOCS_PER_COMMIT) {
        await this.engine.commit(op.db.root, writes.slice(i, i + DOCS_PER_COMMIT));
      }
      op.documents.completed += file.documents;
      op.bytes.completed += file.bytes;
    }
  }

  private async readMetadata(gcs: GcsClient, bucket: string, path: string): Promise<ExportMetadataFile> {
    let text: string;
    try {
      text = (await gcs.download(bucket, `${path}/${lastSegment(path)}.overall_export_metadata`)).toString("utf8");
    } catch (err) {
      if (err instanceof RpcError && err.code === Code.NOT_FOUND) throw notFound(`gs://${bucket}/${path} holds no complete export (no overall_export_metadata).`);
      throw err;
    }
    const meta = JSON.parse(text) as Partial<ExportMetadataFile>;
    if (meta.format !== EXPORT_FORMAT || !Array.isArray(meta.files)) throw invalidArgument(`gs://${bucket}/${path} is not an export of this server.`);
    return meta as ExportMetadataFile;
  }

  /** google.longrunning.Operation; `@type` makes protobufjs pack the metadata and response as Any. */
  private toProto(op: OperationRecord): unknown {
    const progress = (p: { estimated: number; completed: number }) => ({ estimated_work: String(p.estimated), completed_work: String(p.completed) });
    const common = {
      start_time: op.startTime,
      ...(op.endTime ? { end_time: op.endTime } : {}),
      operation_state: op.state,
      progress_documents: progress(op.documents),
      progress_bytes: progress(op.bytes),
      collection_ids: op.collectionIds,
    };
    const metadata =
      op.kind === "ExportDocuments"
        ? { "@type": `${ADMIN}.ExportDocumentsMetadata`, ...common, output_uri_prefix: op.uri, ...(op.snapshotTime ? { snapshot_time: op.snapshotTime } : {}) }
        : { "@type": `${ADMIN}.ImportDocumentsMetadata`, ...common, input_uri_prefix: op.uri };
    const done = op.state !== "PROCESSING";
    const result = !done
      ? {}
      : op.error
        ? { error: { code: op.error.code, message: op.error.message } }
        : op.kind === "ExportDocuments"
          ? { response: { "@type": `${ADMIN}.ExportDocumentsResponse`, output_uri_prefix: op.uri } }
          : { response: { "@type": "type.googleapis.com/google.protobuf.Empty" } };
    return { name: op.name, metadata, done, ...result };
  }
}
