import { randomBytes } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { executionPath } from "../../src/executions/execution-records";
import type { StoredExecution } from "../../src/executions/execution-records";
import { firestoreFor } from "../backups/backup-fixture";

/** A database of its own on the local Firestore server, so collection-group passes see this test's data only. */
export function freshDatabase(prefix = "cp"): { db: Firestore; databaseId: string } {
  const databaseId = `${prefix}-${randomBytes(4).toString("hex")}`;
  return { db: firestoreFor(databaseId), databaseId };
}

/** A stored execution as the execution service writes it, created at `createdAt`. */
export function storedExecution(workspaceId: string, createdBy: string, createdAt: number, text = "hello"): StoredExecution {
  const at = Timestamp.fromMillis(createdAt);
  return {
    workspaceId,
    promptId: "p1",
    version: 1,
    label: null,
    variablesJson: JSON.stringify({ name: text }),
    status: "completed",
    output: `Answer for ${text}`,
    citations: [{ index: 1, documentId: "d1", chunkId: "c1", title: "Doc", score: 0.5, snippet: `snippet ${text}`, cited: true }],
    retrieval: { query: text, documentIds: null, topK: 4 },
    providerId: "local",
    model: "local-echo",
    finishReason: "stop",
    usage: { inputTokens: 3, outputTokens: 5 },
    latencyMs: 10,
    costUsd: 0,
    error: null,
    createdBy,
    createdAt: at,
    completedAt: at,
    updatedAt: at,
  };
}

/** Writes `count` executions spread over `workspaces` workspaces, created at `createdAt(i)`, with BulkWriter. */
export async function seedExecutions(db: Firestore, count: number, createdAt: (i: number) => number, workspaces = 10, createdBy = (i: number) => `u${i % 7}`, idPrefix = "e"): Promise<void> {
  const writer = db.bulkWriter();
  for (let i = 0; i < count; i++) {
    const workspaceId = `w${i % workspaces}`;
    void writer.set(db.doc(executionPath(workspaceId, `${idPrefix}${String(i).padStart(7, "0")}`)), storedExecution(workspaceId, createdBy(i), createdAt(i)));
  }
  await writer.close();
}
