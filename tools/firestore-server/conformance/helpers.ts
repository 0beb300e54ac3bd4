/**
 * Shared helpers: clients talk to FIRESTORE_EMULATOR_HOST only through firebase-admin (and
 * @google-cloud/firestore for a second, independent client). Every file uses its own project id
 * and every test its own collection names, so the suite also runs against Google's emulator.
 */
import { randomBytes } from "node:crypto";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { Firestore as GcFirestore } from "@google-cloud/firestore";

export function emulatorHost(): string {
  const host = process.env["FIRESTORE_EMULATOR_HOST"];
  if (!host) throw new Error("FIRESTORE_EMULATOR_HOST is not set (the global setup should have set it)");
  return host;
}

export const uid = (): string => randomBytes(6).toString("hex");

export interface TestContext {
  projectId: string;
  app: App;
  db: Firestore;
  /** A fresh collection name for one test. */
  col(prefix?: string): string;
  /** Another, independent client of the same project (own connection). */
  second(): GcFirestore;
  close(): Promise<void>;
}

/** Creates an admin app with a unique `demo-conformance-*` project. Call in `beforeAll`. */
export function setupContext(): TestContext {
  const projectId = `demo-conformance-${uid()}`;
  const app = initializeApp({ projectId }, projectId);
  const db = getFirestore(app);
  const extra: GcFirestore[] = [];
  return {
    projectId,
    app,
    db,
    col: (prefix = "c") => `${prefix}-${uid()}`,
    second: () => {
      const c = new GcFirestore({ projectId });
      extra.push(c);
      return c;
    },
    close: async () => {
      // Let closed listen streams receive their final status before the jest environment is torn
      // down (gax lazily requires modules when it processes a stream status).
      await sleep(250);
      await Promise.all(extra.map((c) => c.terminate()));
      await db.terminate().catch(() => undefined);
      await deleteApp(app);
    },
  };
}

/** Calls the emulator's reset endpoint for a project's default database. */
export async function resetDatabase(projectId: string): Promise<Response> {
  return fetch(`http://${emulatorHost()}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: "DELETE" });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate` holds on some snapshot pushed to the returned callback. */
export function waitFor<T>(predicate: (value: T) => boolean, timeoutMs = 5000): { push: (v: T) => void; done: Promise<T> } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error("timed out waiting for snapshot")), timeoutMs);
  return {
    push: (v: T) => {
      if (predicate(v)) {
        clearTimeout(timer);
        resolve(v);
      }
    },
    done,
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
