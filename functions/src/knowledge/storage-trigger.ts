import type { StorageEvent } from "firebase-functions/v2/storage";
import { logger } from "../lib/logging";
import type { KnowledgeService } from "./knowledge-service";

/**
 * Ingests documents uploaded to `workspaces/{workspaceId}/documents/{documentId}/{filename}` in
 * the default bucket. Other objects are ignored. Failures are recorded on the document (status
 * `failed`), not retried: a bad file would fail again, and the user can reingest.
 */
export async function documentUploadedHandler(knowledge: Pick<KnowledgeService, "ingestUploadedObject">, event: StorageEvent): Promise<void> {
  const { name, size, contentType } = event.data;
  if (!name?.startsWith("workspaces/")) return;
  const outcome = await knowledge.ingestUploadedObject({ name, size: Number(size) || 0, ...(contentType ? { contentType } : {}) });
  logger.info("knowledge_upload_handled", { outcome, bucket: event.data.bucket });
}
