import { randomUUID } from "node:crypto";
import { FieldPath, Timestamp } from "firebase-admin/firestore";
import { DEAD_LETTERS } from "../../src/lib/workers";
import { OUTBOX_LEASES, eventStatsPath } from "../../src/events/event-records";
import { DOMAIN_EVENTS_TOPIC } from "../../src/events/outbox-publisher";
import { call, enterpriseUser, createFixture, type Fixture } from "./matrix/fixtures";
import { callCallable, type TestUser } from "../helpers/emulators";
import { closePubSub, deliveries, eventually, publish, relayUrl } from "../helpers/events";
import { testDb } from "../helpers/firestore";

/**
 * Events as production delivers them, through the Functions emulator: Firestore writes, Pub/Sub
 * messages, Storage uploads and cron runs reach their functions as CloudEvents through the local
 * event relay (or the official emulators), and the workers behave as the pattern says.
 */
jest.setTimeout(120_000);

const today = () => new Date().toISOString().slice(0, 10);
const domainEvent = (workspaceId: string, id = randomUUID()) => ({ id, type: "execution.completed", workspaceId, subject: `executions/${id}`, occurredAt: new Date().toISOString(), data: { test: true } });
// Event types hold a dot, so the count is read by field path segments, not a dotted string.
const countOf = async (workspaceId: string): Promise<number> => {
  const value: unknown = (await testDb().doc(eventStatsPath(workspaceId, today())).get()).get(new FieldPath("counts", "execution.completed"));
  return typeof value === "number" ? value : 0;
};

describe("events through the emulators", () => {
  let owner: TestUser;
  let fixture: Fixture;

  beforeAll(async () => {
    owner = await enterpriseUser("events-owner");
    fixture = await createFixture(owner, "Events e2e");
  });
  afterAll(() => closePubSub());

  it("a role changed directly in Firestore reaches the invalidation trigger: the cached role goes within seconds", async () => {
    const member = await enterpriseUser("events-member");
    await call("setMember", { workspaceId: fixture.workspaceId, uid: member.uid, role: "admin" }, owner);
    expect((await callCallable("listApiKeys", { workspaceId: fixture.workspaceId }, member.idToken)).status).toBe(200);

    // Not through the product: an operator's console edit. Only the trigger can make the cached role stale.
    await testDb().doc(`workspaces/${fixture.workspaceId}/members/${member.uid}`).update({ role: "viewer" });

    const refused = await eventually("the member's role to be re-read", async () => {
      const answer = await callCallable("listApiKeys", { workspaceId: fixture.workspaceId }, member.idToken);
      return answer.status === 200 ? undefined : answer;
    });
    expect(refused.body.error?.status).toBe("PERMISSION_DENIED");
    const delivered = (await deliveries()).filter((d) => d.function === "invalidateMemberCache" && d.subject?.endsWith(`members/${member.uid}`));
    expect(delivered[0]).toMatchObject({ type: "google.cloud.firestore.document.v1.written", outcome: "delivered", status: 200 });
  });

  it("a message published to a topic reaches its worker, and a duplicate of the event is counted once", async () => {
    const workspaceId = `ev-${randomUUID().slice(0, 8)}`;
    const event = domainEvent(workspaceId);
    const first = await publish(DOMAIN_EVENTS_TOPIC, event);
    await eventually("the event to be counted", async () => ((await countOf(workspaceId)) === 1 ? true : undefined));

    const second = await publish(DOMAIN_EVENTS_TOPIC, event);
    await eventually("the duplicate to be delivered", async () => ((await deliveries()).some((d) => d.eventId === second && d.outcome === "delivered") ? true : undefined));
    expect(await countOf(workspaceId)).toBe(1);
    expect((await testDb().doc(`workerRuns/events.count:${event.id}`).get()).get("status")).toBe("done");
    expect(first).not.toBe(second);
  });

  it("a poison message is dead-lettered once and acknowledged, not redelivered", async () => {
    const messageId = await publish(DOMAIN_EVENTS_TOPIC, { not: "a domain event" });
    const letter = await eventually("the dead letter", async () => {
      const snap = await testDb().doc(`${DEAD_LETTERS}/events.count:${messageId}`).get();
      return snap.exists ? snap : undefined;
    });
    expect(letter.data()).toMatchObject({ worker: "events.count", eventId: messageId, reason: "invalid-payload", attempt: 1 });
    // Acknowledged: every delivery a success from the platform's point of view, never a retry. (Pub/Sub
    // is at least once: a slow cold worker may see the message twice; the dead letter is still one.)
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const attempts = (await deliveries()).filter((d) => d.eventId === messageId);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.every((d) => d.attempt === 1 && d.outcome === "delivered")).toBe(true);
  });

  it("a worker that fails twice is redelivered with the same event id and then succeeds", async () => {
    const db = testDb();
    // Another drainer holds the workspace's outbox: the trigger asks to be retried.
    const lease = db.doc(`${OUTBOX_LEASES}/${fixture.workspaceId}`);
    await lease.set({ holder: "e2e-test", until: Timestamp.fromMillis(Date.now() + 10 * 60_000) });
    const before = await countOf(fixture.workspaceId);
    const started = new Date().toISOString();
    await call("runExecution", { workspaceId: fixture.workspaceId, promptId: fixture.promptId, variables: { name: "Ada" } }, owner);

    const failures = await eventually("two failed attempts", async () => {
      const failed = (await deliveries()).filter((d) => d.function === "publishDomainEvents" && d.outcome !== "delivered" && d.at >= started);
      return failed.length >= 2 ? failed : undefined;
    });
    await lease.delete();
    const eventId = failures[0]!.eventId;
    const success = await eventually("the redelivery to succeed", async () => (await deliveries()).find((d) => d.eventId === eventId && d.outcome === "delivered"), 90_000);
    expect(success.attempt).toBeGreaterThanOrEqual(3);
    expect(failures.every((d) => d.eventId === eventId)).toBe(true);
    await eventually("the published event to be counted", async () => ((await countOf(fixture.workspaceId)) > before ? true : undefined));
  });

  it("a scheduled function fires when its job runs, as Cloud Scheduler runs it", async () => {
    const jobs = (await (await fetch(`${relayUrl()}/scheduler/jobs`)).json()) as { jobs: Array<{ function: string; schedule: string; timeZone: string }> };
    expect(jobs.jobs).toContainEqual(expect.objectContaining({ function: "sweepDomainEventOutbox", schedule: "every 5 minutes", timeZone: "Etc/UTC" }));
    const started = new Date().toISOString();
    const res = await fetch(`${relayUrl()}/scheduler/jobs/sweepDomainEventOutbox:run`, { method: "POST" });
    expect(res.ok).toBe(true);
    const run = await eventually("the sweeper to run", async () => (await deliveries()).find((d) => d.function === "sweepDomainEventOutbox" && d.at >= started));
    expect(run).toMatchObject({ outcome: "delivered", status: 200 });
  });
});
