/**
 * gRPC handlers for google.firestore.v1.Firestore, adapting calls to the Engine.
 * Every handler converts thrown RpcErrors into call statuses.
 */
import * as grpc from "@grpc/grpc-js";
import type { Engine, ReadContext } from "./engine";
import { invalidArgument, notFound, toStatus } from "./errors";
import type { ListenResponse, ListenSink } from "./listen";
import { aggregate } from "./aggregation";
import { documentName, parseDatabase, parseDocumentName, parseName, compareUtf8, type DbName } from "./paths";
import type { PreparedQuery } from "./query";
import { toTimestamp } from "./time";
import { randomBytes } from "node:crypto";
import type {
  DocumentMask,
  ExplainOptions,
  Fields,
  ListenRequest,
  ReadConsistency,
  StructuredAggregationQuery,
  StructuredQuery,
  TransactionOptions,
  Write,
} from "./types";

type Unary<Req> = grpc.ServerUnaryCall<Req, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

function unary<Req>(fn: (req: Req) => unknown | Promise<unknown>): grpc.handleUnaryCall<Req, unknown> {
  return (call: Unary<Req>, callback: Callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toStatus(err)),
      );
  };
}

function serverStream<Req>(fn: (req: Req, write: (msg: unknown) => void) => Promise<void>): grpc.handleServerStreamingCall<Req, unknown> {
  return (call) => {
    fn(call.request, (msg) => {
      if (!call.cancelled) call.write(msg);
    }).then(
      () => call.end(),
      (err: unknown) => call.emit("error", Object.assign(new Error(toStatus(err).details), toStatus(err))),
    );
  };
}

/**
 * google.protobuf.Struct for explain metrics. protobufjs resolves the well-known struct.proto
 * from its bundled definitions, whose field names are camelCase regardless of `keepCase`.
 */
/** A 20-character auto id like the SDKs generate. */
function randomId(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(20)].map((b) => chars[b % chars.length]).join("");
}

/**
 * google.protobuf.Struct for explain metrics. protobufjs resolves the well-known struct.proto
 * from its bundled definitions, whose field names are camelCase regardless of `keepCase`.
 */
function struct(obj: Record<string, string | number>): { fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = typeof v === "number" ? { numberValue: v } : { stringValue: v };
  return { fields };
}

function explainMetrics(q: PreparedQuery, analyze: boolean, results: number, scanned: number, startNs: bigint): unknown {
  const properties = "(" + q.orders.map((o) => `${o.path} ${o.descending ? "DESC" : "ASC"}`).join(", ") + ")";
  const plan_summary = {
    indexes_used: [struct({ query_scope: q.allDescendants ? "Collection group" : "Collection", properties })],
  };
  if (!analyze) return { plan_summary };
  const elapsed = process.hrtime.bigint() - startNs;
  return {
    plan_summary,
    execution_stats: {
      results_returned: String(results),
      execution_duration: { seconds: String(elapsed / 1_000_000_000n), nanos: Number(elapsed % 1_000_000_000n) },
      read_operations: String(Math.max(1, results)),
      debug_stats: struct({ documents_scanned: String(scanned), index_entries_scanned: String(scanned), billing_details: "{}" }),
    },
  };
}

interface PagedRequest {
  page_size?: number;
  page_token?: string;
}

function page<T>(items: T[], req: PagedRequest, key: (t: T) => string): { items: T[]; next: string } {
  let start = 0;
  if (req.page_token) {
    const after = Buffer.from(req.page_token, "base64").toString("utf8");
    start = items.findIndex((t) => compareUtf8(key(t), after) > 0);
    if (start < 0) start = items.length;
  }
  const size = req.page_size && req.page_size > 0 ? req.page_size : items.length;
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: slice, next: more && slice.length > 0 ? Buffer.from(key(slice[slice.length - 1]!)).toString("base64") : "" };
}

export function createHandlers(engine: Engine): grpc.UntypedServiceImplementation {
  const dbOf = (name: string): DbName => parseDatabase(name);

  const transactionFields = (ctx: ReadContext): { transaction?: Buffer } => (ctx.newTransaction ? { transaction: ctx.newTransaction } : {});

  return {
    GetDocument: unary(async (req: { name: string; mask?: DocumentMask } & ReadConsistency) => {
      const { db, path } = parseDocumentName(req.name);
      const ctx = engine.readContext(db, req);
      const [doc] = await engine.getDocuments(ctx, [path]);
      if (!doc) throw notFound(`Document "${req.name}" not found.`);
      return engine.documentProto(db, doc, req.mask);
    }),

    BatchGetDocuments: serverStream(async (req: { database: string; documents?: string[]; mask?: DocumentMask } & ReadConsistency, write) => {
      const db = dbOf(req.database);
      const ctx = engine.readContext(db, req);
      const names = req.documents ?? [];
      const paths = engine.parseDocs(db, names);
      const docs = await engine.getDocuments(ctx, paths);
      const readTime = toTimestamp(engine.reportedReadTime(ctx));
      let first = true;
      docs.forEach((doc, i) => {
        const extra = first ? transactionFields(ctx) : {};
        first = false;
        if (doc) write({ found: engine.documentProto(db, doc, req.mask), read_time: readTime, ...extra });
        else write({ missing: documentName(db, paths[i]!), read_time: readTime, ...extra });
      });
      if (first && ctx.newTransaction) write({ transaction: ctx.newTransaction, read_time: readTime });
    }),

    BeginTransaction: unary((req: { database: string; options?: TransactionOptions }) => {
      const db = dbOf(req.database);
      const txn = engine.txns.begin(db.key, req.options);
      return { transaction: txn.id };
    }),

    Commit: unary((req: { database: string; writes?: Write[]; transaction?: Uint8Array }) =>
      engine.commit(req.database, req.writes ?? [], req.transaction),
    ),

    BatchWrite: unary((req: { database: string; writes?: Write[] }) => engine.batchWrite(req.database, req.writes ?? [])),

    Rollback: unary((req: { database: string; transaction?: Uint8Array }) => {
      const db = dbOf(req.database);
      if (!req.transaction || req.transaction.length === 0) throw invalidArgument("Missing transaction.");
      engine.txns.rollback(db.key, req.transaction);
      return {};
    }),

    RunQuery: serverStream(
      async (req: { parent: string; structured_query?: StructuredQuery; explain_options?: ExplainOptions } & ReadConsistency, write) => {
        const start = process.hrtime.bigint();
        const { db, path } = parseName(req.parent);
        if (!req.structured_query) throw invalidArgument("Missing structured_query.");
        const q = engine.prepare(db, path, req.structured_query);
        const explain = req.explain_options;
        if (explain && !explain.analyze) {
          write({ explain_metrics: explainMetrics(q, false, 0, 0, start) });
          return;
        }
        const ctx = engine.readContext(db, req);
        const { docs, scanned } = await engine.runQuery(ctx, q);
        const readTime = toTimestamp(engine.reportedReadTime(ctx));
        let extra: Record<string, unknown> = transactionFields(ctx);
        const metrics = explain ? explainMetrics(q, true, docs.length, scanned, start) : undefined;
        docs.forEach((doc, i) => {
          const msg: Record<string, unknown> = { document: engine.documentProto(db, doc), read_time: readTime, ...extra };
          // Production sends the analyze metrics with the last document, not in a message of their own.
          if (metrics && i === docs.length - 1) msg["explain_metrics"] = metrics;
          write(msg);
          extra = {};
        });
        if (docs.length === 0) write({ read_time: readTime, ...extra, ...(metrics ? { explain_metrics: metrics } : {}) });
      },
    ),

    RunAggregationQuery: serverStream(
      async (
        req: { parent: string; structured_aggregation_query?: StructuredAggregationQuery; explain_options?: ExplainOptions } & ReadConsistency,
        write,
      ) => {
        const start = process.hrtime.bigint();
        const { db, path } = parseName(req.parent);
        const saq = req.structured_aggregation_query;
        if (!saq?.structured_query) throw invalidArgument("Missing structured_aggregation_query.");
        const q = engine.prepare(db, path, saq.structured_query);
        const explain = req.explain_options;
        if (explain && !explain.analyze) {
          write({ explain_metrics: explainMetrics(q, false, 0, 0, start) });
          return;
        }
        const ctx = engine.readContext(db, req);
        const { docs, scanned } = await engine.runQuery(ctx, q);
        const readTime = toTimestamp(engine.reportedReadTime(ctx));
        const msg: Record<string, unknown> = {
          result: { aggregate_fields: aggregate(docs, saq.aggregations ?? []) },
          read_time: readTime,
          ...transactionFields(ctx),
        };
        if (explain) msg["explain_metrics"] = explainMetrics(q, true, 1, scanned, start);
        write(msg);
      },
    ),

    ListDocuments: unary(
      (req: { parent: string; collection_id?: string; mask?: DocumentMask; show_missing?: boolean } & PagedRequest & ReadConsistency) => {
        const { db, path } = parseName(req.parent);
        const collectionPath = path === "" ? (req.collection_id ?? "") : `${path}/${req.collection_id ?? ""}`;
        const ctx = engine.readContext(db, req);
        const collection = ctx.store.getCollection(collectionPath);
        const rows: { id: string; doc: ReturnType<Engine["documentProto"]> }[] = [];
        const seen = new Set<string>();
        for (const entry of collection?.sortedEntries() ?? []) {
          const doc = ctx.store.get(entry.path, ctx.readTime);
          if (!doc) continue;
          seen.add(entry.id);
          rows.push({ id: entry.id, doc: engine.documentProto(db, doc, req.mask) });
        }
        if (req.show_missing) {
          for (const id of ctx.store.missingWithChildren(collectionPath)) {
            if (!seen.has(id)) rows.push({ id, doc: { name: documentName(db, `${collectionPath}/${id}`) } });
          }
          rows.sort((a, b) => compareUtf8(a.id, b.id));
        }
        const { items, next } = page(rows, req, (r) => r.id);
        return { documents: items.map((r) => r.doc), next_page_token: next };
      },
    ),

    ListCollectionIds: unary((req: { parent: string } & PagedRequest & ReadConsistency) => {
      const { db, path } = parseName(req.parent);
      const ids = engine.store(db).listCollectionIds(path);
      const { items, next } = page(ids, req, (id) => id);
      return { collection_ids: items, next_page_token: next };
    }),

    PartitionQuery: unary((req: { parent: string; structured_query?: StructuredQuery }) => {
      const { db, path } = parseName(req.parent);
      if (!req.structured_query) throw invalidArgument("Missing structured_query.");
      engine.prepare(db, path, req.structured_query);
      // No split points: a single partition covering the whole query is always a valid answer.
      return { partitions: [], next_page_token: "" };
    }),

    CreateDocument: unary(
      async (req: { parent: string; collection_id: string; document_id?: string; document?: { fields?: Fields }; mask?: DocumentMask }) => {
        const { db, path } = parseName(req.parent);
        const id = req.document_id || randomId();
        const docPath = path === "" ? `${req.collection_id}/${id}` : `${path}/${req.collection_id}/${id}`;
        const name = documentName(db, docPath);
        await engine.commit(db.root, [{ update: { name, fields: req.document?.fields ?? {} }, current_document: { exists: false } }]);
        return engine.documentProto(db, engine.store(db).get(docPath)!, req.mask);
      },
    ),

    UpdateDocument: unary(
      async (req: { document?: { name?: string; fields?: Fields }; update_mask?: DocumentMask; mask?: DocumentMask; current_document?: Write["current_document"] }) => {
        const { db, path } = parseDocumentName(req.document?.name ?? "");
        const w: Write = { update: { name: req.document!.name!, fields: req.document?.fields ?? {} } };
        if (req.update_mask) w.update_mask = req.update_mask;
        if (req.current_document) w.current_document = req.current_document;
        await engine.commit(db.root, [w]);
        return engine.documentProto(db, engine.store(db).get(path)!, req.mask);
      },
    ),

    DeleteDocument: unary(async (req: { name: string; current_document?: Write["current_document"] }) => {
      const { db } = parseDocumentName(req.name);
      const w: Write = { delete: req.name };
      if (req.current_document) w.current_document = req.current_document;
      await engine.commit(db.root, [w]);
      return {};
    }),

    Listen: (call: grpc.ServerDuplexStream<ListenRequest, ListenResponse>) => {
      const sink: ListenSink = {
        send: (msg) => {
          if (!call.cancelled && !call.writableEnded) call.write(msg);
        },
      };
      const close = (): void => engine.listen.closeSink(sink);
      call.on("data", (req: ListenRequest) => {
        try {
          const db = dbOf(req.database ?? "");
          if (req.add_target) engine.listen.addTarget(sink, db, engine.store(db), req.add_target);
          else if (req.remove_target !== undefined) engine.listen.removeTarget(sink, req.remove_target);
        } catch (err) {
          close();
          call.emit("error", Object.assign(new Error(toStatus(err).details), toStatus(err)));
        }
      });
      call.on("end", () => {
        close();
        call.end();
      });
      call.on("cancelled", close);
      call.on("error", close);
      call.on("close", close);
    },

    Write: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.emit("error", Object.assign(new Error("Write is not supported by this server."), { code: grpc.status.UNIMPLEMENTED }));
    },
  };
}

