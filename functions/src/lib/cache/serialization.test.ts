import { GeoPoint, Timestamp } from "firebase-admin/firestore";
import { CacheSerializationError, decodeValue, deepFreeze, encodeValue } from "./serialization";

const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

describe("cache serialization", () => {
  it("brings a Firestore Timestamp back as a Timestamp, to the nanosecond", () => {
    const back = roundTrip({ at: new Timestamp(1_700_000_000, 123_456_789) }) as { at: Timestamp };
    expect(back.at).toBeInstanceOf(Timestamp);
    expect(back.at.isEqual(new Timestamp(1_700_000_000, 123_456_789))).toBe(true);
  });

  it("brings dates, geo points, bytes, maps and sets back as their own types", () => {
    const value = {
      date: new Date("2026-01-02T03:04:05.678Z"),
      invalid: new Date(Number.NaN),
      where: new GeoPoint(48.85, 2.35),
      bytes: Buffer.from([0, 1, 254, 255]),
      view: new Uint8Array([9, 8, 7]),
      map: new Map<unknown, unknown>([["a", 1], [2, new Date(0)]]),
      set: new Set(["x", "y"]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back.date).toBeInstanceOf(Date);
    expect(back.date.getTime()).toBe(value.date.getTime());
    expect(Number.isNaN(back.invalid.getTime())).toBe(true);
    expect(back.where).toBeInstanceOf(GeoPoint);
    expect(back.where.isEqual(value.where)).toBe(true);
    expect(Buffer.isBuffer(back.bytes) && back.bytes.equals(value.bytes)).toBe(true);
    expect(back.view).toBeInstanceOf(Uint8Array);
    expect([...back.view]).toEqual([9, 8, 7]);
    expect(back.map).toEqual(value.map);
    expect(back.set).toEqual(value.set);
  });

  it("keeps nested maps and arrays, key order and awkward numbers exact", () => {
    const value = { b: 1, a: [1, "two", null, [true, { deep: { deeper: [Number.NaN, Infinity, -Infinity, -0] } }]], big: 12345678901234567890n, empty: {}, none: [] };
    const back = roundTrip(value) as typeof value;
    expect(Object.keys(back)).toEqual(["b", "a", "big", "empty", "none"]);
    expect(back).toEqual(value);
    expect(Object.is((back.a[3] as [boolean, { deep: { deeper: number[] } }])[1].deep.deeper[3], -0)).toBe(true);
  });

  it("never mistakes data that looks like a tag for a tag", () => {
    const value = { $t: "ts", s: 1, n: 2, nested: { $t: "d", v: "0" } };
    expect(roundTrip(value)).toEqual(value);
  });

  it("stores a __proto__ key as data without touching prototypes", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(back, "__proto__")).toBe(true);
  });

  it("refuses what it cannot bring back: functions, class instances, cycles", () => {
    class Thing {}
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeValue({ f: () => 1 })).toThrow(CacheSerializationError);
    expect(() => encodeValue({ t: new Thing() })).toThrow(/Thing cannot be cached/);
    expect(() => encodeValue(cycle)).toThrow(CacheSerializationError);
  });

  it("refuses a tagged value whose fields are not what the tag needs, rather than building a wrong one", () => {
    expect(() => decodeValue('{"$t":"ts","s":"1","n":0}')).toThrow(CacheSerializationError);
    expect(() => decodeValue('{"$t":"bi","v":"12x"}')).toThrow(CacheSerializationError);
    expect(() => decodeValue('{"$t":"map","e":[1]}')).toThrow(CacheSerializationError);
  });

  it("freezes plain data all the way down, leaving class instances alone", () => {
    const value = deepFreeze({ list: [{ n: 1 }], at: new Date(0) });
    expect(Object.isFrozen(value.list[0])).toBe(true);
    expect(Object.isFrozen(value.at)).toBe(false);
  });
});
