import { FieldPath, type Firestore } from "firebase-admin/firestore";
import { EXECUTIONS } from "../executions/execution-records";
import { SOURCES } from "../knowledge/knowledge-records";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { WEBHOOK_ENDPOINTS } from "../webhooks/webhook-records";
import type { SecretBox } from "../webhooks/webhook-signing";
import type { FieldCipher } from "./field-cipher";
import type { ReencryptionTarget } from "./reencryption";
import { rewrapFields } from "./sealed-fields";

/** What each rotating key protects in Firestore, visited in document-name order. */
const QUERIES = {
  executions: queryShape({ name: "secrets.reencryptExecutions", collectionGroup: EXECUTIONS, scope: "COLLECTION_GROUP", orderBy: [["__name__", "asc"]] }),
  sources: queryShape({ name: "secrets.reencryptSources", collectionGroup: SOURCES, scope: "COLLECTION_GROUP", orderBy: [["__name__", "asc"]] }),
  webhookEndpoints: queryShape({ name: "secrets.reencryptWebhookEndpoints", collectionGroup: WEBHOOK_ENDPOINTS, orderBy: [["__name__", "asc"]] }),
};

type Db = Pick<Firestore, "collection" | "collectionGroup">;

/** Sealed fields of a collection group (FIELD_ENCRYPTION_KEY): the data keys are re-wrapped, the values untouched. */
function sealedFieldsTarget(db: Db, cipher: FieldCipher, group: "executions" | "sources"): ReencryptionTarget {
  return {
    name: group,
    async page(cursor, limit) {
      let query = db.collectionGroup(group === "executions" ? EXECUTIONS : SOURCES).orderBy(FieldPath.documentId()).limit(limit);
      if (cursor) query = query.startAfter(cursor);
      const snap = await runQuery(QUERIES[group], query);
      return snap.docs.map((doc) => ({ path: doc.ref.path, data: doc.data(), updateTime: doc.updateTime }));
    },
    rewrap: (path, data) => rewrapFields(cipher, path, data),
  };
}

/** Executions' inputs and outputs. */
export const executionsTarget = (db: Db, cipher: FieldCipher) => sealedFieldsTarget(db, cipher, "executions");
/** Pasted documents' source text. */
export const sourcesTarget = (db: Db, cipher: FieldCipher) => sealedFieldsTarget(db, cipher, "sources");

/** Webhook endpoints' sealed signing secrets (WEBHOOK_SECRET_KEY): re-sealed under the current version. */
export function webhookEndpointsTarget(db: Db, box: SecretBox): ReencryptionTarget {
  return {
    name: "webhookEndpoints",
    async page(cursor, limit) {
      let query = db.collection(WEBHOOK_ENDPOINTS).orderBy(FieldPath.documentId()).limit(limit);
      if (cursor) query = query.startAfter(cursor.split("/").pop()!);
      const snap = await runQuery(QUERIES.webhookEndpoints, query);
      return snap.docs.map((doc) => ({ path: doc.ref.path, data: doc.data(), updateTime: doc.updateTime }));
    },
    async rewrap(path, data) {
      const endpointId = path.split("/").pop()!;
      const secrets = Array.isArray(data["secrets"]) ? (data["secrets"] as Array<Record<string, unknown>>) : [];
      let changed = false;
      const next = [];
      for (const secret of secrets) {
        const sealed = secret["sealed"];
        const resealed = typeof sealed === "string" ? await box.reseal(sealed, endpointId) : sealed;
        changed ||= resealed !== sealed;
        next.push({ ...secret, sealed: resealed });
      }
      return changed ? { secrets: next } : null;
    },
  };
}
