/**
 * Firestore change → the production CloudEvent. Eventarc sends Firestore events with
 * `datacontenttype: application/protobuf` and data = `google.events.cloud.firestore.v1.DocumentEventData`
 * (value = after, old_value = before, update_mask = changed fields on updates), which
 * firebase-functions decodes with its bundled protos/compiledFirestore.js
 * (lib/common/providers/firestore.js, createSnapshotFromProtobuf). The change feed gives the
 * documents as proto3 JSON; `fromProto3JSON` turns that into the message (protobufjs' own
 * fromObject does not parse RFC 3339 timestamps or `nullValue: null`).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fromProto3JSON } from "proto3-json-serializer";
import * as protobuf from "protobufjs";
import { matchPath } from "./path-pattern";
import type { BinaryCloudEvent, FirestoreTrigger } from "./types";

export type JsonValue = { [k: string]: unknown };
export type JsonDocument = { name: string; fields?: Record<string, JsonValue>; createTime?: string; updateTime?: string };

/** One entry of `GET /emulator/v1/projects/{p}/databases/{d}/changes` (tools/firestore-server). */
export type FirestoreChange = {
  seq: number;
  document: string;
  before: JsonDocument | null;
  after: JsonDocument | null;
  commitTime: string;
};

let eventDataType: protobuf.Type | undefined;

function documentEventData(): protobuf.Type {
  if (!eventDataType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith("google/protobuf/") ? target : join(__dirname, "..", "proto", target));
    root.loadSync("google/events/cloud/firestore/v1/data.proto", { keepCase: false });
    eventDataType = root.lookupType("google.events.cloud.firestore.v1.DocumentEventData");
  }
  return eventDataType;
}

/** DocumentEventData bytes for one change, exactly what compiledFirestore's decode reads. */
export function encodeDocumentEventData(change: Pick<FirestoreChange, "before" | "after">): Buffer {
  const json: Record<string, unknown> = {};
  if (change.after) json.value = change.after;
  if (change.before) json.oldValue = change.before;
  if (change.before && change.after) json.updateMask = { fieldPaths: changedFieldPaths(change.before.fields ?? {}, change.after.fields ?? {}) };
  const type = documentEventData();
  const message = fromProto3JSON(type, json as never);
  if (!message) throw new Error("DocumentEventData: proto3 JSON conversion failed");
  return Buffer.from(type.encode(message).finish());
}

/** Whether `trigger` fires for `change`, with the params its document pattern captures. */
export function matchFirestore(trigger: FirestoreTrigger, relativePath: string, change: FirestoreChange): Record<string, string> | undefined {
  const fires =
    trigger.operation === "written" ||
    (trigger.operation === "created" && !change.before && !!change.after) ||
    (trigger.operation === "updated" && !!change.before && !!change.after) ||
    (trigger.operation === "deleted" && !!change.before && !change.after);
  return fires ? matchPath(trigger.document, relativePath) : undefined;
}

/** `projects/p/databases/d/documents/a/b` → `a/b`. */
export function relativeDocumentPath(name: string): string {
  const i = name.indexOf("/documents/");
  return i < 0 ? name : name.slice(i + "/documents/".length);
}

/** A stable id per change, so a redelivery carries the id of the first delivery. */
export function stableEventId(...parts: (string | number)[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export type FirestoreEventContext = { project: string; database: string; location: string };

export function firestoreCloudEvent(trigger: FirestoreTrigger, change: FirestoreChange, ctx: FirestoreEventContext): BinaryCloudEvent {
  const document = relativeDocumentPath(change.document);
  const extensions: Record<string, string> = {
    location: ctx.location,
    project: ctx.project,
    database: ctx.database,
    namespace: trigger.namespace,
    document,
  };
  // The relay cannot know who wrote; production says `unknown` when it cannot tell either.
  if (trigger.withAuthContext) extensions.authtype = "unknown";
  return {
    id: stableEventId("firestore", ctx.project, ctx.database, change.document, change.commitTime, change.seq),
    type: trigger.eventType,
    source: `//firestore.googleapis.com/projects/${ctx.project}/databases/${ctx.database}`,
    subject: `documents/${document}`,
    time: change.commitTime,
    extensions,
    contentType: "application/protobuf",
    body: encodeDocumentEventData(change),
  };
}

const SIMPLE_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (name: string): string => (SIMPLE_FIELD.test(name) ? name : `\`${name.replace(/[`\\]/g, (c) => `\\${c}`)}\``);

/** Field paths that differ between two field maps, descending into maps changed on both sides. */
export function changedFieldPaths(before: Record<string, JsonValue>, after: Record<string, JsonValue>, prefix = ""): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((name) => {
    const path = prefix + quote(name);
    const a = before[name];
    const b = after[name];
    if (a !== undefined && b !== undefined && isMap(a) && isMap(b)) return changedFieldPaths(mapFields(a), mapFields(b), `${path}.`);
    return stableJson(a) === stableJson(b) ? [] : [path];
  });
}

const isMap = (v: JsonValue): boolean => typeof v.mapValue === "object" && v.mapValue !== null;
function mapFields(v: JsonValue): Record<string, JsonValue> {
  const map = v.mapValue;
  const fields = typeof map === "object" && map !== null && "fields" in map ? map.fields : undefined;
  return typeof fields === "object" && fields !== null ? (fields as Record<string, JsonValue>) : {};
}

function stableJson(v: unknown): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}
