import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Firestore } from "@google-cloud/firestore";
import type { DeliveryRecord } from "../src";
import { BUCKET, getJson, PROJECT, startStack, waitFor, type Invocation, type Stack } from "./harness";

type Change = { before: { exists: boolean; data(): unknown }; after: { exists: boolean; data(): unknown } };
type Snapshot = { exists: boolean; data(): unknown; ref: { path: string } };

let stack: Stack;
let db: Firestore;

beforeAll(async () => {
  stack = await startStack({ firestore: true, storage: true });
  db = new Firestore({ projectId: PROJECT });
});

afterAll(async () => {
  await db.terminate();
  await stack.close();
});

const calls = (name: string, filter: (i: Invocation) => boolean = () => true): Invocation[] =>
  stack.invocations.filter((i) => i.name === name && filter(i));
const forDoc = (id: string) => (i: Invocation) => i.event.document === `items/${id}`;
const cursorFile = () => join(stack.stateDir, "relay", "cursors.json");
const readCursor = async (): Promise<number> => JSON.parse(await readFile(cursorFile(), "utf8"))[`firestore/${PROJECT}/(default)`];

describe("Firestore events", () => {
  test("create, update and delete reach written/created/updated/deleted functions with before/after data and params", async () => {
    const relay = await stack.startRelay();
    const ref = db.doc("items/alpha");
    await ref.set({ title: "first", n: 1, at: new Date("2025-01-02T03:04:05.678Z") });
    await waitFor(() => calls("itemCreated", forDoc("alpha")).length === 1 && calls("itemWritten", forDoc("alpha")).length === 1);
    await ref.update({ n: 2 });
    await waitFor(() => calls("itemUpdated", forDoc("alpha")).length === 1);
    await ref.delete();
    await waitFor(() => calls("itemDeleted", forDoc("alpha")).length === 1 && calls("itemWritten", forDoc("alpha")).length === 3);

    const [create, update, remove] = calls("itemWritten", forDoc("alpha")).map((i) => i.event.data as Change);
    expect(create.before.exists).toBe(false);
    expect(create.after.data()).toEqual({ title: "first", n: 1, at: expect.objectContaining({ seconds: 1735787045 }) });
    expect(update.before.data()).toMatchObject({ n: 1 });
    expect(update.after.data()).toMatchObject({ title: "first", n: 2 });
    expect(remove.before.data()).toMatchObject({ n: 2 });
    expect(remove.after.exists).toBe(false);

    const created = calls("itemCreated", forDoc("alpha"))[0].event;
    expect(created.params).toEqual({ itemId: "alpha" });
    expect((created.data as Snapshot).data()).toMatchObject({ title: "first" });
    expect((calls("itemDeleted", forDoc("alpha"))[0].event.data as Snapshot).data()).toMatchObject({ n: 2 });
    const updated = calls("itemUpdated", forDoc("alpha"))[0].event;
    expect(updated).toMatchObject({
      type: "google.cloud.firestore.document.v1.updated",
      source: `//firestore.googleapis.com/projects/${PROJECT}/databases/(default)`,
      subject: "documents/items/alpha",
      specversion: "1.0",
      project: PROJECT,
      database: "(default)",
      namespace: "(default)",
      location: "us-central1",
      params: { itemId: "alpha" },
    });
    // Only the functions whose operation matches ran: one create, one update, one delete.
    expect(calls("itemCreated", forDoc("alpha"))).toHaveLength(1);
    expect(calls("itemUpdated", forDoc("alpha"))).toHaveLength(1);

    const { deliveries } = await getJson<{ deliveries: DeliveryRecord[] }>(`${relay.url}/deliveries?limit=50`);
    expect(deliveries.filter((d) => d.subject === "documents/items/alpha" && d.outcome === "delivered")).toHaveLength(6);
    expect(stack.logs.some((l) => l.event === "event_delivered" && l.function === "itemUpdated")).toBe(true);
    await relay.close();
  });

  test("a failing retry:true function is retried with the same event id and its params", async () => {
    const relay = await stack.startRelay();
    let failures = 0;
    stack.behaviour.set("commentWritten", () => {
      if (failures++ < 2) throw new Error("transient");
    });
    await db.doc("rooms/r1/comments/c1").set({ text: "hi" });
    await waitFor(() => failures === 3);
    const seen = calls("commentWritten");
    expect(seen.map((i) => i.event.params)).toEqual(Array(3).fill({ roomId: "r1", commentId: "c1" }));
    expect(new Set(seen.map((i) => i.event.id)).size).toBe(1);
    const { deliveries } = await getJson<{ deliveries: DeliveryRecord[] }>(`${relay.url}/deliveries`);
    const mine = deliveries.filter((d) => d.function === "commentWritten").reverse();
    expect(mine.map((d) => [d.attempt, d.outcome, d.status])).toEqual([
      [1, "retrying", 500],
      [2, "retrying", 500],
      [3, "delivered", 200],
    ]);
    stack.behaviour.delete("commentWritten");
    await relay.close();
  });

  test("a failing function without retry is called once and the event dropped", async () => {
    const relay = await stack.startRelay();
    stack.behaviour.set("itemCreated", () => {
      throw new Error("no retry for me");
    });
    await db.doc("items/dropped").set({ n: 1 });
    await waitFor(() => stack.logs.some((l) => l.event === "event_delivery_failed" && l.outcome === "dropped"));
    await new Promise((r) => setTimeout(r, 300));
    expect(calls("itemCreated", forDoc("dropped"))).toHaveLength(1);
    stack.behaviour.delete("itemCreated");
    await relay.close();
  });

  test("a restarted relay resumes after its saved cursor: events written while it was down arrive, earlier ones do not", async () => {
    let relay = await stack.startRelay();
    await db.doc("items/before-restart").set({ n: 1 });
    await waitFor(() => calls("itemWritten", forDoc("before-restart")).length === 1);
    await relay.close();
    await db.doc("items/while-down").set({ n: 2 });
    relay = await stack.startRelay();
    await waitFor(() => calls("itemWritten", forDoc("while-down")).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls("itemWritten", forDoc("before-restart"))).toHaveLength(1);
    await relay.close();
  });

  test("a relay that stopped before saving its cursor re-delivers with the same event id, so an idempotent handler skips it", async () => {
    const processed = new Set<string>();
    const skipped: string[] = [];
    stack.behaviour.set("itemWritten", (event) => {
      if (event.document !== "items/dup") return;
      if (processed.has(String(event.id))) skipped.push(String(event.id));
      processed.add(String(event.id));
    });
    let relay = await stack.startRelay();
    const cursorBefore = await readCursor();
    await db.doc("items/dup").set({ n: 1 });
    await waitFor(() => calls("itemWritten", forDoc("dup")).length === 1);
    await relay.close();
    expect(await readCursor()).toBeGreaterThan(cursorBefore);
    // As if the relay had died between delivering and saving its cursor.
    const state = JSON.parse(await readFile(cursorFile(), "utf8"));
    state[`firestore/${PROJECT}/(default)`] = cursorBefore;
    await writeFile(cursorFile(), JSON.stringify(state));
    relay = await stack.startRelay();
    await waitFor(() => calls("itemWritten", forDoc("dup")).length === 2);
    const ids = calls("itemWritten", forDoc("dup")).map((i) => i.event.id);
    expect(ids[0]).toBe(ids[1]);
    expect(skipped).toEqual([ids[0]]);
    stack.behaviour.delete("itemWritten");
    await relay.close();
  });

  test("deliveries follow the emulator's trigger generation when it changes", async () => {
    const relay = await stack.startRelay();
    stack.emulator.setGeneration(1);
    await db.doc("items/gen").set({ n: 1 });
    await waitFor(() => calls("itemCreated", forDoc("gen")).length === 1);
    stack.emulator.setGeneration(0);
    await relay.close();
  });
});

describe("Storage events", () => {
  test("an upload reaches onObjectFinalized and a delete onObjectDeleted with the object and bucket", async () => {
    const relay = await stack.startRelay();
    const base = stack.storageUrl;
    await fetch(`${base}/storage/v1/b?project=${PROJECT}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: BUCKET }) });
    const up = await fetch(`${base}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent("docs/a.txt")}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(up.status).toBe(200);
    const finalized = await waitFor(() => calls("uploaded")[0]?.event);
    expect(finalized).toMatchObject({
      type: "google.cloud.storage.object.v1.finalized",
      source: `//storage.googleapis.com/projects/_/buckets/${BUCKET}`,
      subject: "objects/docs/a.txt",
      bucket: BUCKET,
      data: { name: "docs/a.txt", bucket: BUCKET, contentType: "text/plain", size: "5" },
    });
    await fetch(`${base}/storage/v1/b/${BUCKET}/o/${encodeURIComponent("docs/a.txt")}`, { method: "DELETE" });
    const removed = await waitFor(() => calls("removed")[0]?.event);
    expect(removed).toMatchObject({ type: "google.cloud.storage.object.v1.deleted", subject: "objects/docs/a.txt" });
    await relay.close();
  });
});
