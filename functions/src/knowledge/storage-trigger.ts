import { z } from "zod";
import type { WorkerContext } from "../lib/workers";
import type { KnowledgeService } from "./knowledge-service";

/** What the upload worker reads of a Cloud Storage object event (`StorageObjectData`). */
export const uploadedObject = z.looseObject({
  name: z.string().min(1),
  bucket: z.string().min(1),
  size: z.union([z.string(), z.number()]).optional(),
  contentType: z.string().optional(),
});

/**
 * The worker behind `onDocumentUploaded`: ingests documents uploaded to
 * `workspaces/{workspaceId}/documents/{documentId}/{filename}` in the default bucket; other
 * objects are ignored. A bad file is recorded on its document (status `failed`), not retried: it
 * would fail again, and the user can reingest.
 */
export function uploadWorker({ knowledge }: { knowledge: Pick<KnowledgeService, "ingestUploadedObject"> }) {
  return {
    name: "knowledge.ingestUpload",
    payload: uploadedObject,
    handle: async (object: z.output<typeof uploadedObject>, { log }: WorkerContext) => {
      if (!object.name.startsWith("workspaces/")) return;
      const outcome = await knowledge.ingestUploadedObject({ name: object.name, size: Number(object.size) || 0, ...(object.contentType ? { contentType: object.contentType } : {}) });
      log.info("knowledge_upload_handled", { outcome, bucket: object.bucket });
    },
  };
}

const scheduledRun = z.looseObject({ scheduleTime: z.string() });

/** The worker behind the `sweepStalledIngests` cron. Idempotent by the documents' own state. */
export function stalledIngestWorker({ knowledge }: { knowledge: Pick<KnowledgeService, "sweepStalledIngests"> }) {
  return {
    name: "knowledge.sweepStalledIngests",
    payload: scheduledRun,
    idempotency: "none" as const,
    handle: async (_run: z.output<typeof scheduledRun>, { log }: WorkerContext) => {
      const closed = await knowledge.sweepStalledIngests();
      if (closed.interrupted + closed.uploadMissing > 0) log.warn("knowledge_stalled_ingests_closed", closed);
    },
  };
}
