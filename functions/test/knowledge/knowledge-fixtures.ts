import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { Storage, type Bucket, type GetSignedUrlConfig } from "@google-cloud/storage";
import type { Firestore } from "firebase-admin/firestore";
import type { AccessControl } from "../../src/identity/access-control";
import { systemClock } from "../../src/lib/clock";
import type { DocumentBucket } from "../../src/knowledge/document-files";
import { chunksPath } from "../../src/knowledge/document-model";
import { createKnowledgeService } from "../../src/knowledge/knowledge-service";
import { createLocalProvider } from "../../src/providers/local-provider";
import type { LlmProvider } from "../../src/providers/provider-types";
import { testFieldSealer } from "../helpers/field-sealer";

/**
 * A fresh bucket on the local stack's Storage (our server or the official emulator), through the
 * real client, signing URLs with the stack's local key as the functions do.
 */
export async function localBucket(): Promise<Bucket> {
  if (!process.env.STORAGE_EMULATOR_HOST) throw new Error("STORAGE_EMULATOR_HOST is not set: run the tests with `npm test`, which starts the local stack.");
  const keyFile = process.env.LOCAL_SIGNING_KEY_FILE;
  const key = keyFile ? (JSON.parse(fs.readFileSync(keyFile, "utf8")) as { client_email: string; private_key: string }) : undefined;
  const storage = new Storage({ projectId: process.env.GCLOUD_PROJECT, ...(key ? { credentials: { client_email: key.client_email, private_key: key.private_key } } : {}) });
  const [bucket] = await storage.createBucket(`test-${randomUUID().slice(0, 12)}`);
  return bucket;
}

/**
 * An in-memory stand-in for the bucket, for tests that must observe or inject what the real one
 * cannot (counting downloads). It implements the narrow `DocumentBucket` the real `Bucket` satisfies.
 */
export function fakeBucket() {
  const files = new Map<string, Buffer>();
  const signed: { path: string; config: GetSignedUrlConfig }[] = [];
  const deleted: string[] = [];
  const bucket: DocumentBucket = {
    file: (path) => ({
      async getMetadata() {
        const data = files.get(path);
        if (!data) throw Object.assign(new Error(`No such object: ${path}`), { code: 404 });
        return [{ size: String(data.length) }];
      },
      async download() {
        const data = files.get(path);
        if (!data) throw Object.assign(new Error(`No such object: ${path}`), { code: 404 });
        return [data];
      },
      async delete(options) {
        if (!files.delete(path) && !options?.ignoreNotFound) throw Object.assign(new Error(`No such object: ${path}`), { code: 404 });
        deleted.push(path);
        return [];
      },
      async getSignedUrl(config) {
        signed.push({ path, config });
        return [`https://storage.example.test/upload/${encodeURIComponent(path)}?sig=fake`];
      },
    }),
  };
  return { bucket, files, signed, deleted };
}

export function knowledgeService(args: { db: Firestore; access: AccessControl; provider?: LlmProvider; bucket?: DocumentBucket; signUploads?: boolean }) {
  const bucket = args.bucket ?? fakeBucket().bucket;
  return createKnowledgeService({
    db: args.db,
    clock: systemClock,
    access: args.access,
    provider: args.provider ?? createLocalProvider(),
    bucket: () => bucket,
    signUploads: args.signUploads ?? true,
    fields: testFieldSealer(),
  });
}

/** Every chunk stored for a document, whatever its generation. */
export async function storedChunks(db: Firestore, workspaceId: string, documentId: string) {
  const snap = await db.collection(chunksPath(workspaceId)).where("documentId", "==", documentId).get();
  return snap.docs.map((d) => ({ id: d.id, generation: d.get("generation") as number, text: d.get("text") as string }));
}

export const CORPUS = {
  gardening: "# Tomatoes\nWater tomato plants deeply twice a week and stake them when they reach a foot tall.\n\n## Pests\nAphids on tomato leaves can be washed off with a strong spray of water.",
  databases: "# Database indexes\nA composite index lets the database answer queries that filter on several fields at once.\n\n## Vector search\nNearest-neighbour search compares embedding vectors by cosine distance.",
  cooking: "# Sourdough\nA sourdough starter needs daily feeding with flour and water. Bake the bread in a preheated Dutch oven.",
};
