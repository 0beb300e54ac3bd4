import { onObjectFinalized, type StorageEvent } from "firebase-functions/v2/storage";
import { params } from "../lib/config";
import { services } from "../app/services";
import { logger } from "../lib/logging";

/**
 * Ingests documents uploaded to `workspaces/{workspaceId}/documents/{documentId}/{filename}` in
 * the default bucket. Other objects are ignored. Failures are recorded on the document (status
 * `failed`), not retried: a bad file would fail again, and the user can reingest.
 */
export async function documentUploadedHandler(event: StorageEvent): Promise<void> {
  const { name, size, contentType } = event.data;
  if (!name?.startsWith("workspaces/")) return;
  const outcome = await services().knowledge.ingestUploadedObject({ name, size: Number(size) || 0, ...(contentType ? { contentType } : {}) });
  logger.info("knowledge_upload_handled", { outcome, bucket: event.data.bucket });
}

export const onDocumentUploaded = onObjectFinalized({ region: params.region, secrets: [params.upstashRedisRestToken], memory: "512MiB", timeoutSeconds: 300 }, documentUploadedHandler);
