import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import fs from "node:fs";
import type { Storage, Bucket } from "@google-cloud/storage";
import { z } from "zod";
import type { PubSub } from "@google-cloud/pubsub";
import type { v1 } from "@google-cloud/firestore";
import type * as AuthModule from "firebase-admin/auth";
import type * as AdminStorageModule from "firebase-admin/storage";
import type * as StorageModule from "@google-cloud/storage";
import type * as PubSubModule from "@google-cloud/pubsub";
import type * as FirestoreModule from "@google-cloud/firestore";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as SecretManagerModule from "@google-cloud/secret-manager";
import { Redis } from "@upstash/redis";
import { params, runtimeEnv, secretValue } from "../lib/config";
import { logger } from "../lib/logging";

/**
 * The one place real clients are built: lazily, once per instance, reused across invocations.
 * Domain modules never construct clients; they receive them.
 *
 * Client libraries most functions never use are loaded at first use, not at cold start: every
 * deployed function loads this module, and Pub/Sub (~250 ms), Storage (~100 ms) and Auth (~70 ms)
 * were a third of the ~830 ms it took to load the functions' code (docs/performance.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- deferred loading, see above */
const lazy = {
  auth: () => require("firebase-admin/auth") as typeof AuthModule,
  adminStorage: () => require("firebase-admin/storage") as typeof AdminStorageModule,
  storage: () => require("@google-cloud/storage") as typeof StorageModule,
  pubsub: () => require("@google-cloud/pubsub") as typeof PubSubModule,
  firestoreAdmin: () => (require("@google-cloud/firestore") as typeof FirestoreModule).v1,
  grpc: () => require("@grpc/grpc-js") as typeof GrpcModule,
  secretManager: () => require("@google-cloud/secret-manager") as typeof SecretManagerModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

let adminApp: App | undefined;
let firestoreClient: Firestore | undefined;
let redisClient: Redis | null | undefined;
let storageBucket: Bucket | undefined;
let pubsubClient: PubSub | undefined;

export function firebaseApp(): App {
  if (!adminApp) adminApp = getApps()[0] ?? initializeApp();
  return adminApp;
}

/** Firebase Auth (the Auth emulator when FIREBASE_AUTH_EMULATOR_HOST is set), loaded at first use. */
export function firebaseAuth(): AuthModule.Auth {
  return lazy.auth().getAuth(firebaseApp());
}

/** Verifies a Firebase ID token (the Auth emulator's when FIREBASE_AUTH_EMULATOR_HOST is set). */
export async function verifyIdToken(idToken: string): Promise<Record<string, unknown>> {
  return { ...(await firebaseAuth().verifyIdToken(idToken)) };
}

export function firestore(): Firestore {
  if (!firestoreClient) {
    firestoreClient = getFirestore(firebaseApp());
    // Optional fields written as `undefined` are dropped rather than rejected.
    firestoreClient.settings({ ignoreUndefinedProperties: true });
  }
  return firestoreClient;
}

/**
 * The project's default Cloud Storage bucket (uploaded documents live there). In the emulator a
 * local signing key (written by the local stack) stands in for the service account production
 * signs URLs with, so upload URLs are signed the same way.
 */
export function storage(): Bucket {
  if (storageBucket) return storageBucket;
  const env = runtimeEnv();
  if (env.FUNCTIONS_EMULATOR === "true" && env.LOCAL_SIGNING_KEY_FILE) {
    const key = localSigningKey.parse(JSON.parse(fs.readFileSync(env.LOCAL_SIGNING_KEY_FILE, "utf8")));
    const projectId = firebaseApp().options.projectId ?? env.GCLOUD_PROJECT;
    const bucketName = firebaseApp().options.storageBucket ?? `${projectId}.appspot.com`;
    storageBucket = new (lazy.storage().Storage)({ projectId, credentials: { client_email: key.client_email, private_key: key.private_key } }).bucket(bucketName);
  } else {
    storageBucket = lazy.adminStorage().getStorage(firebaseApp()).bucket();
  }
  return storageBucket;
}

const localSigningKey = z.object({ client_email: z.string(), private_key: z.string() });

/**
 * The Upstash client, or `null` when no Redis is configured: limits and cache then run in memory
 * in this instance only, which is logged once so nobody mistakes it for production behaviour.
 */
export function redis(): Redis | null {
  if (redisClient !== undefined) return redisClient;
  const url = params.upstashRedisRestUrl.value();
  const token = secretValue(params.upstashRedisRestToken);
  if (!url || !token) {
    logger.warn("redis_not_configured", { fallback: "in-memory limits and cache" });
    redisClient = null;
    return redisClient;
  }
  const timeoutMs = runtimeEnv().REDIS_TIMEOUT_MS;
  redisClient = new Redis({
    url,
    token,
    // Callers decide what an outage means (fail open or closed); a slow Redis must not hold them.
    // Their guards bound each call at `timeoutMs`, measured so that an answer delayed only by this
    // instance's event loop still counts (lib/io-timeout.ts). This abort only frees a hung socket:
    // at `timeoutMs` it would be a plain timer again, and under load it aborted answered calls
    // (load test, 80 connections: 96 of them, logged as Redis errors).
    retry: false,
    signal: () => AbortSignal.timeout(timeoutMs + 1_000),
    enableTelemetry: false,
  });
  return redisClient;
}

/** The Pub/Sub client (`PUBSUB_EMULATOR_HOST` points it at the local server or emulator). */
export function pubsub(): PubSub {
  if (!pubsubClient) pubsubClient = new (lazy.pubsub().PubSub)({ projectId: firebaseApp().options.projectId ?? runtimeEnv().GCLOUD_PROJECT });
  return pubsubClient;
}

let adminClient: InstanceType<typeof v1.FirestoreAdminClient> | undefined;
let storageClient: Storage | undefined;

/**
 * The Firestore admin client (exports and imports). Against a local server it speaks plain gRPC
 * to FIRESTORE_EMULATOR_HOST, as the Firestore client itself does there.
 */
export function firestoreAdmin(): InstanceType<typeof v1.FirestoreAdminClient> {
  if (adminClient) return adminClient;
  const emulator = process.env.FIRESTORE_EMULATOR_HOST;
  const [host, port] = emulator ? emulator.split(":") : [];
  const { FirestoreAdminClient } = lazy.firestoreAdmin();
  adminClient = host && port ? new FirestoreAdminClient({ servicePath: host, port: Number(port), sslCreds: lazy.grpc().credentials.createInsecure() }) : new FirestoreAdminClient();
  return adminClient;
}

/** A Storage client for any bucket (backups span several); STORAGE_EMULATOR_HOST applies. */
export function storageFor(name: string): Bucket {
  storageClient ??= new (lazy.storage().Storage)({ projectId: firebaseApp().options.projectId ?? runtimeEnv().GCLOUD_PROJECT });
  return storageClient.bucket(name);
}

let secretManagerClient: InstanceType<typeof SecretManagerModule.SecretManagerServiceClient> | undefined;

/**
 * The Secret Manager client (runtime secrets, rotation). SECRET_MANAGER_EMULATOR_HOST (our
 * convention: Google ships no emulator) points it at tools/secret-manager-server over plain gRPC.
 */
export function secretManager(): InstanceType<typeof SecretManagerModule.SecretManagerServiceClient> {
  if (secretManagerClient) return secretManagerClient;
  const emulator = runtimeEnv().SECRET_MANAGER_EMULATOR_HOST;
  const [apiEndpoint, port] = emulator ? emulator.split(":") : [];
  const { SecretManagerServiceClient } = lazy.secretManager();
  secretManagerClient = apiEndpoint && port ? new SecretManagerServiceClient({ apiEndpoint, port: Number(port), sslCreds: lazy.grpc().credentials.createInsecure() }) : new SecretManagerServiceClient();
  return secretManagerClient;
}
