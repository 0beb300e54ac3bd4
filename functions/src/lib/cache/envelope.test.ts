import { readEnvelope, stampsEqual, versionOf, writeEnvelope, type Envelope } from "./envelope";

const envelope: Envelope = { softExpiresAt: 10, hardExpiresAt: 20, stamps: { key: "0", namespace: "4", tags: { "workspace:w1": "7" } }, negative: false, payload: '{"a":"line\\nbreak"}' };

describe("L2 envelope", () => {
  it("reads back what it wrote, payload untouched", () => {
    expect(readEnvelope(writeEnvelope(envelope))).toEqual(envelope);
    expect(readEnvelope(writeEnvelope({ ...envelope, negative: true, payload: "" }))?.negative).toBe(true);
  });

  it("is not valid JSON, so the Upstash client's deserialization leaves it alone", () => {
    expect(() => JSON.parse(writeEnvelope(envelope))).toThrow();
  });

  it("treats anything else as a miss", () => {
    expect(readEnvelope(null)).toBeNull();
    expect(readEnvelope(42)).toBeNull();
    expect(readEnvelope('{"s":1}')).toBeNull();
    expect(readEnvelope("~1|not json\n{}")).toBeNull();
    expect(readEnvelope('~1|{"s":1,"h":2,"k":"0","n":"0","t":{"tag":7}}\n{}')).toBeNull();
  });

  it("compares version stamps exactly, tags included", () => {
    expect(stampsEqual(envelope.stamps, { ...envelope.stamps, tags: { "workspace:w1": "7" } })).toBe(true);
    expect(stampsEqual(envelope.stamps, { ...envelope.stamps, namespace: "5" })).toBe(false);
    expect(stampsEqual(envelope.stamps, { ...envelope.stamps, tags: { "workspace:w1": "8" } })).toBe(false);
    expect(stampsEqual(envelope.stamps, { ...envelope.stamps, tags: {} })).toBe(false);
  });

  it("reads a missing version as 0 and a deserialized number as its string", () => {
    expect(versionOf(null)).toBe("0");
    expect(versionOf(12)).toBe("12");
    expect(versionOf("12")).toBe("12");
  });
});
