import { pubsubEvent, scheduledEvent } from "./adapters";

const message = (data: string | undefined, extra: Record<string, unknown> = {}) =>
  ({ id: "ce-1", time: "2026-11-29T10:00:00.000Z", data: { message: { messageId: "m-1", publishTime: "2026-11-29T10:00:01.000Z", data, attributes: {}, ...extra }, subscription: "s" } }) as never;

describe("worker event adapters", () => {
  it("turn a Pub/Sub message into its JSON payload, keyed by the message id", () => {
    const event = pubsubEvent(message(Buffer.from(JSON.stringify({ a: 1 })).toString("base64")));
    expect(event).toEqual({ id: "m-1", data: { a: 1 }, attempt: 1, time: Date.parse("2026-11-29T10:00:01.000Z") });
  });

  it("hand over a message that is not JSON as its text, for the worker's schema to refuse", () => {
    expect(pubsubEvent(message(Buffer.from("plain words").toString("base64"))).data).toBe("plain words");
    expect(pubsubEvent(message(undefined)).data).toBeUndefined();
  });

  it("read the delivery attempt Pub/Sub sets under a dead-letter policy", () => {
    expect(pubsubEvent(message("", { deliveryAttempt: 4 })).attempt).toBe(4);
  });

  it("make one event per scheduled job and time, so a retried run is the same event", () => {
    const run = { scheduleTime: "2026-11-29T02:00:00Z", jobName: "firebase-schedule-x" } as never;
    expect(scheduledEvent("x", run)).toEqual(scheduledEvent("x", run));
    expect(scheduledEvent("x", run).id).toBe("x@2026-11-29T02:00:00Z");
  });
});
