/**
 * ExportDocuments / ImportDocuments through the real `v1.FirestoreAdminClient` (its long-running
 * operations polled with `operation.promise()` and `checkExportDocumentsProgress`), against an
 * in-process server of its own and an in-process Storage server. Not in conformance/: Google's
 * Firestore emulator has no admin export API over gRPC (it exports to local disk over REST).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { credentials } from "@grpc/grpc-js";
import { Firestore, GeoPoint, Timestamp, v1 } from "@google-cloud/firestore";
import { startFirestoreServer, type RunningServer } from "../src";
import { spawn, type ChildProcess } from "node:child_process";

let server: RunningServer;
let storage: { url: string; process: ChildProcess };
let admin: InstanceType<typeof v1.FirestoreAdminClient>;
let dataDir: string;
let savedHost: string | undefined;
const clients: Firestore[] = [];
const BUCKET = "export-bucket";
/** OperationState.SUCCESSFUL: gax decodes enums to their numbers. */
const SUCCESSFUL = 5;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "fs-export-"));
  storage = await startStorage(dataDir);
  await fetch(`${storage.url}/storage/v1/b?project=demo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: BUCKET }) });
  server = await startFirestoreServer({ port: 0, storageUrl: storage.url });
  // The SDK reads the emulator address from the environment, which takes precedence over settings.
  savedHost = process.env["FIRESTORE_EMULATOR_HOST"];
  process.env["FIRESTORE_EMULATOR_HOST"] = `127.0.0.1:${server.port}`;
  admin = new v1.FirestoreAdminClient({ servicePath: "127.0.0.1", port: server.port, sslCreds: credentials.createInsecure(), projectId: "demo" });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
  await admin.close();
  await server.close();
  storage.process.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
  if (savedHost === undefined) delete process.env["FIRESTORE_EMULATOR_HOST"];
  else process.env["FIRESTORE_EMULATOR_HOST"] = savedHost;
});

/** The repository's Storage server as a child process (its sources sit outside this package). */
async function startStorage(dir: string): Promise<{ url: string; process: ChildProcess }> {
  const cli = path.join(__dirname, "../../storage-server/src/cli.ts");
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), cli, "--host", "127.0.0.1", "--port", "0", "--data-dir", dir], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, PUBSUB_EMULATOR_HOST: "" } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`storage server exited with ${code}`)));
  });
  return { url, process: child };
}

function database(projectId: string, databaseId = "(default)"): Firestore {
  const db = new Firestore({ projectId, databaseId });
  clients.push(db);
  return db;
}

const project = () => `demo-export-${randomBytes(4).toString("hex")}`;

async function seed(db: Firestore): Promise<void> {
  await db.doc("users/ada").set({ name: "Ada", n: 1, when: Timestamp.fromMillis(1_700_000_000_123), where: new GeoPoint(1.5, -2), bytes: Buffer.from([0, 1, 255]), nested: { list: [1, "two", null, { deep: true }] }, nan: NaN });
  await db.doc("users/ada/posts/p1").set({ title: "first", ref: db.doc("users/ada") });
  await db.doc("orgs/o1").set({ name: "Org" });
  const batch = db.batch();
  for (let i = 0; i < 1205; i++) batch.set(db.doc(`items/i${String(i).padStart(4, "0")}`), { i });
  await batch.commit();
}

/** Values in a form jest can compare: references by path, timestamps, points and bytes spelled out. */
function canonical(value: unknown): unknown {
  if (value instanceof Timestamp) return { ts: [value.seconds, value.nanoseconds] };
  if (value instanceof GeoPoint) return { geo: [value.latitude, value.longitude] };
  if (Buffer.isBuffer(value)) return { bytes: value.toString("base64") };
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object" && "path" in value && "firestore" in value) return { ref: (value as { path: string }).path };
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  return value;
}

async function dump(db: Firestore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (refs: FirebaseFirestore.CollectionReference[]): Promise<void> => {
    for (const ref of refs) {
      for (const doc of (await ref.get()).docs) {
        out[doc.ref.path] = canonical(doc.data());
        await walk(await doc.ref.listCollections());
      }
    }
  };
  await walk(await db.listCollections());
  return out;
}

async function objects(prefix: string): Promise<string[]> {
  const res = await fetch(`${storage.url}/storage/v1/b/${BUCKET}/o?prefix=${encodeURIComponent(prefix)}`);
  return ((await res.json()) as { items?: Array<{ name: string }> }).items?.map((i) => i.name) ?? [];
}

test("an export operation completes through operation.promise() and writes the documented layout", async () => {
  const projectId = project();
  await seed(database(projectId));
  const [operation] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://${BUCKET}/${projectId}/full` });
  expect(operation.name).toMatch(new RegExp(`^projects/${projectId}/databases/\\(default\\)/operations/`));
  const [response, metadata] = await operation.promise();
  expect(response.outputUriPrefix).toBe(`gs://${BUCKET}/${projectId}/full`);
  expect(metadata?.operationState).toBe(SUCCESSFUL);
  expect(Number(metadata?.progressDocuments?.completedWork)).toBe(1208);
  expect((await objects(`${projectId}/full/`)).sort()).toEqual([
    `${projectId}/full/all_namespaces/all_kinds/output-0.ndjson`,
    `${projectId}/full/all_namespaces/all_kinds/output-1.ndjson`,
    `${projectId}/full/full.overall_export_metadata`,
  ]);
});

test("checkExportDocumentsProgress reads a finished operation by name (a poller in another process)", async () => {
  const projectId = project();
  await database(projectId).doc("a/b").set({ x: 1 });
  const [operation] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://${BUCKET}/${projectId}/poll` });
  let polled = await admin.checkExportDocumentsProgress(operation.name!);
  for (let i = 0; i < 50 && !polled.done; i++) {
    await new Promise((r) => setTimeout(r, 20));
    polled = await admin.checkExportDocumentsProgress(operation.name!);
  }
  expect(polled.done).toBe(true);
  expect(polled.error).toBeFalsy();
  expect((polled.result as { outputUriPrefix?: string }).outputUriPrefix).toBe(`gs://${BUCKET}/${projectId}/poll`);
});

test("an import into another database reproduces every document exactly", async () => {
  const projectId = project();
  const source = database(projectId);
  await seed(source);
  const [exp] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://${BUCKET}/${projectId}/copy` });
  await exp.promise();
  const [imp] = await admin.importDocuments({ name: `projects/${projectId}/databases/restored`, inputUriPrefix: `gs://${BUCKET}/${projectId}/copy` });
  const [, metadata] = await imp.promise();
  expect(metadata?.operationState).toBe(SUCCESSFUL);
  const restored = database(projectId, "restored");
  const [a, b] = await Promise.all([dump(source), dump(restored)]);
  expect(Object.keys(b)).toHaveLength(1208);
  expect(b).toEqual(a);
  expect((await restored.doc("users/ada/posts/p1").get()).get("ref").path).toBe("users/ada");
});

test("collection ids limit an export and an import", async () => {
  const projectId = project();
  const source = database(projectId);
  await seed(source);
  const [exp] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://${BUCKET}/${projectId}/some`, collectionIds: ["users", "posts"] });
  await exp.promise();
  const [imp] = await admin.importDocuments({ name: `projects/${projectId}/databases/some`, inputUriPrefix: `gs://${BUCKET}/${projectId}/some`, collectionIds: ["posts"] });
  await imp.promise();
  expect(Object.keys(await dump(database(projectId, "some")))).toEqual([]);
  const posts = await database(projectId, "some").collectionGroup("posts").get();
  expect(posts.docs.map((d) => d.ref.path)).toEqual(["users/ada/posts/p1"]);
});

test("an import of a folder without a complete export fails the operation with NOT_FOUND", async () => {
  const projectId = project();
  const [imp] = await admin.importDocuments({ name: `projects/${projectId}/databases/(default)`, inputUriPrefix: `gs://${BUCKET}/${projectId}/nothing-here` });
  await expect(imp.promise()).rejects.toMatchObject({ code: 5 });
});

test("an export to a missing bucket fails the operation; an unknown operation is NOT_FOUND", async () => {
  const projectId = project();
  const [exp] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://no-such-bucket-${projectId}/x` });
  await expect(exp.promise()).rejects.toMatchObject({ code: 5 });
  await expect(admin.checkExportDocumentsProgress(`projects/${projectId}/databases/(default)/operations/nope`)).rejects.toMatchObject({ code: 5 });
});

test("a bucket-only prefix gets a dated folder, reported in the response", async () => {
  const projectId = project();
  await database(projectId).doc("a/b").set({ x: 1 });
  const [exp] = await admin.exportDocuments({ name: `projects/${projectId}/databases/(default)`, outputUriPrefix: `gs://${BUCKET}` });
  const [response] = await exp.promise();
  expect(response.outputUriPrefix).toMatch(new RegExp(`^gs://${BUCKET}/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d_\\d{5}$`));
});
