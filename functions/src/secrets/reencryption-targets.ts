import { FieldPath, type Firestore } from "firebase-admin/firestore";
import { EXECUTIONS } from "../executions/execution-records";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { WEBHOOK_ENDPOINTS } from "../webhooks/webhook-records";
import type { SecretBox } from "../webhooks/webhook-signing";
import type { FieldCipher } from "./field-cipher";
import type { ReencryptionTarget } from "./reencryption";
import { rewrapFields } from "./sealed-fields";

/** What each rotating key protects in Firestore, visited in document-name order. */
const QUERIES = {
  executions: queryShape({ name: "secrets.reencryptExecutions", collectionGroup: EXECUTIONS, scope: "COLLECTION_GROUP", orderBy: [["__name__", "asc"]] }),
  webhookEndpoints: queryShape({ name: "secrets.reencryptWebhookEndpoints", collectionGroup: WEBHOOK_ENDPOINTS, orderBy: [["__name__", "asc"]] }),
};

type Db = Pick<Firestore, "collection" | "collectionGroup">;

/** Executions' sealed fields (FIELD_ENCRYPTION_KEY): the data keys are re-wrapped, the values untouched. */
export function executionsTarget(db: Db, cipher: FieldCipher): ReencryptionTarget {
  return {
    name: "executions",
    async page(cursor, limit) {
      let query = db.collectionGroup(EXECUTIONS).orderBy(FieldPath.documentId()).limit(limit);
      if (cursor) query = query.startAfter(cursor);
      const snap = await runQuery(QUERIES.executions, query);
      return snap.docs.map((doc) => ({ path: doc.ref.path, data: doc.data(), updateTime: doc.updateTime }));
    },
    rewrap: (path, data) => rewrapFields(cipher, path, data),
  };
}

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
