import { randomUUID } from "node:crypto";
import { z } from "zod";
import { manualClock } from "../../src/lib/clock";
import { NotFoundError, UnavailableError } from "../../src/lib/errors";
import { createWorker, DEAD_LETTERS, EventInProgressError, PoisonEventError, WORKER_RUNS, type WorkerEvent } from "../../src/lib/workers";
import { testDb } from "../helpers/firestore";

const quiet = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const payload = z.strictObject({ n: z.number() });
const event = (data: unknown = { n: 1 }, attempt = 1): WorkerEvent => ({ id: `evt-${randomUUID()}`, data, attempt });

function setup() {
  const db = testDb();
  const clock = manualClock(Date.now());
  const name = `test.worker.${randomUUID().slice(0, 8)}`;
  const deadLetter = (e: WorkerEvent) => db.doc(`${DEAD_LETTERS}/${name}:${e.id}`).get();
  return { db, clock, name, deadLetter, deps: { db, clock, logger: quiet } };
}

describe("the worker pattern on the real Firestore", () => {
  it("does the work once per event id, however often the event is delivered", async () => {
    const { name, deps, db } = setup();
    const handle = jest.fn(async () => undefined);
    const worker = createWorker({ name, payload, handle }, deps);
    const e = event();

    expect(await worker(e)).toBe("done");
    expect(await worker({ ...e, attempt: 2 })).toBe("duplicate");
    expect(handle).toHaveBeenCalledTimes(1);
    expect((await db.doc(`${WORKER_RUNS}/${name}:${e.id}`).get()).get("status")).toBe("done");
  });

  it("rethrows a retryable failure so the platform redelivers, and the redelivery does the work", async () => {
    const { name, deps } = setup();
    let calls = 0;
    const worker = createWorker({ name, payload, handle: async () => {
      if (++calls <= 2) throw new UnavailableError("Redis is down.");
    } }, deps);
    const e = event();

    await expect(worker(e)).rejects.toThrow("Redis is down.");
    await expect(worker({ ...e, attempt: 2 })).rejects.toThrow("Redis is down.");
    expect(await worker({ ...e, attempt: 3 })).toBe("done");
    expect(await worker({ ...e, attempt: 4 })).toBe("duplicate");
    expect(calls).toBe(3);
  });

  it("dead-letters a payload its schema refuses, with the reason and the payload, and acknowledges it", async () => {
    const { name, deps, deadLetter } = setup();
    const handle = jest.fn(async () => undefined);
    const e = event({ n: "not a number" });

    expect(await createWorker({ name, payload, handle }, deps)(e)).toBe("dead-lettered");
    expect(handle).not.toHaveBeenCalled();
    const letter = await deadLetter(e);
    expect(letter.data()).toMatchObject({ worker: name, eventId: e.id, attempt: 1, reason: "invalid-payload", payload: JSON.stringify({ n: "not a number" }), payloadTruncated: false });
    expect(letter.get("details.issues")).toEqual([{ path: "n", message: expect.any(String) }]);
  });

  it("dead-letters poison (declared, or a typed client error) once, and a redelivery after it is a duplicate", async () => {
    const { name, deps, deadLetter } = setup();
    const poison = createWorker({ name, payload, handle: async () => {
      throw new PoisonEventError("The document it names does not exist.");
    } }, deps);
    const e = event();
    expect(await poison(e)).toBe("dead-lettered");
    expect((await deadLetter(e)).get("reason")).toBe("poison");
    expect(await poison({ ...e, attempt: 2 })).toBe("duplicate");

    const missing = createWorker({ name: `${name}.nf`, payload, handle: async () => {
      throw new NotFoundError("Gone.");
    } }, deps);
    expect(await missing(event())).toBe("dead-lettered");
  });

  it("gives up on an event still failing at its last allowed attempt", async () => {
    const { name, deps, deadLetter } = setup();
    const worker = createWorker({ name, payload, maxAttempts: 3, handle: async () => {
      throw new UnavailableError("still down");
    } }, deps);
    const e = event();
    await expect(worker({ ...e, attempt: 2 })).rejects.toThrow("still down");
    expect(await worker({ ...e, attempt: 3 })).toBe("dead-lettered");
    expect((await deadLetter(e)).get("reason")).toBe("retries-exhausted");
  });

  it("sets aside an event older than the worker's age limit", async () => {
    const { name, deps, clock, deadLetter } = setup();
    const handle = jest.fn(async () => undefined);
    const e = { ...event(), time: clock.now() - 10_000 };
    expect(await createWorker({ name, payload, maxAgeMs: 5_000, handle }, deps)(e)).toBe("dead-lettered");
    expect(handle).not.toHaveBeenCalled();
    expect((await deadLetter(e)).get("reason")).toBe("expired");
  });

  it("refuses a second delivery while the first holds the event (the platform retries it later)", async () => {
    const { name, deps } = setup();
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const worker = createWorker({ name, payload, handle: () => {
      entered();
      return new Promise<void>((done) => (release = done));
    } }, deps);
    const e = event();

    const first = worker(e);
    await inside;
    await expect(worker({ ...e, attempt: 2 })).rejects.toBeInstanceOf(EventInProgressError);
    release();
    expect(await first).toBe("done");
  });

  it("commits the work and its marker together: concurrent deliveries count once", async () => {
    const { name, deps, db } = setup();
    const counter = db.doc(`workerTests/${randomUUID()}`);
    await counter.set({ n: 0 });
    const worker = createWorker({ name, payload, handleInTransaction: async (tx, input) => {
      const current = (await tx.get(counter)).get("n") as number;
      tx.update(counter, { n: current + input.n });
    } }, deps);
    const e = event({ n: 5 });

    const outcomes = await Promise.all([worker(e), worker({ ...e, attempt: 2 }), worker({ ...e, attempt: 3 })]);
    expect(outcomes.sort()).toEqual(["done", "duplicate", "duplicate"]);
    expect((await counter.get()).get("n")).toBe(5);
  });
});
