import { join } from "node:path";
import { changedFieldPaths, encodeDocumentEventData } from "./firestore-event";
import { matchPath } from "./path-pattern";

// The decoder firebase-functions itself uses (its package exports hide the file, so by path).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiled = require(join(require.resolve("firebase-functions"), "../../..", "protos/compiledFirestore.js"));
const DocumentEventData = compiled.google.events.cloud.firestore.v1.DocumentEventData;

const name = "projects/p/databases/(default)/documents/items/a";

describe("DocumentEventData encoding", () => {
  test("firebase-functions' compiled decoder reads every value type back", () => {
    const before = { name, fields: { n: { integerValue: "1" }, gone: { nullValue: null } }, createTime: "2025-01-02T03:04:05.123456000Z", updateTime: "2025-01-02T03:04:05.123456000Z" };
    const after = {
      name,
      fields: {
        n: { integerValue: "9007199254740993" },
        t: { timestampValue: "2025-01-02T03:04:05.123456789Z" },
        g: { geoPointValue: { latitude: 1.5, longitude: -2 } },
        b: { bytesValue: "AQID" },
        r: { referenceValue: "projects/p/databases/(default)/documents/x/y" },
        a: { arrayValue: { values: [{ stringValue: "s" }, { doubleValue: "NaN" }, { booleanValue: true }] } },
        m: { mapValue: { fields: { inner: { stringValue: "v" } } } },
      },
      createTime: "2025-01-02T03:04:05.123456000Z",
      updateTime: "2025-01-02T03:04:06Z",
    };
    const decoded = DocumentEventData.decode(encodeDocumentEventData({ before, after })).toJSON();
    expect(decoded.value.fields).toEqual({
      n: { integerValue: "9007199254740993" },
      t: { timestampValue: { seconds: "1735787045", nanos: 123456789 } },
      g: { geoPointValue: { latitude: 1.5, longitude: -2 } },
      b: { bytesValue: "AQID" },
      r: { referenceValue: "projects/p/databases/(default)/documents/x/y" },
      a: { arrayValue: { values: [{ stringValue: "s" }, { doubleValue: "NaN" }, { booleanValue: true }] } },
      m: { mapValue: { fields: { inner: { stringValue: "v" } } } },
    });
    expect(decoded.oldValue.fields.gone).toEqual({ nullValue: "NULL_VALUE" });
    expect(decoded.value.updateTime).toEqual({ seconds: "1735787046" });
    expect(decoded.updateMask.fieldPaths).toEqual(["a", "b", "g", "gone", "m", "n", "r", "t"]);
  });

  test("a create has no old_value and no update mask; a delete has no value", () => {
    const doc = { name, fields: { x: { stringValue: "y" } }, createTime: "2025-01-02T03:04:05Z", updateTime: "2025-01-02T03:04:05Z" };
    expect(DocumentEventData.decode(encodeDocumentEventData({ before: null, after: doc })).toJSON()).toEqual({
      value: expect.objectContaining({ name }),
    });
    expect(DocumentEventData.decode(encodeDocumentEventData({ before: doc, after: null })).toJSON()).toEqual({
      oldValue: expect.objectContaining({ name }),
    });
  });

  test("the update mask names nested map fields and quotes non-identifier names", () => {
    const m = (fields: Record<string, unknown>) => ({ mapValue: { fields } });
    expect(
      changedFieldPaths(
        { same: { stringValue: "s" }, nested: m({ a: { integerValue: "1" }, b: { integerValue: "2" } }) },
        { same: { stringValue: "s" }, nested: m({ a: { integerValue: "1" }, b: { integerValue: "3" } }), "odd-name": { booleanValue: true } },
      ),
    ).toEqual(["nested.b", "`odd-name`"]);
  });
});

describe("document path patterns", () => {
  test("single captures, multi-segment captures and literals", () => {
    expect(matchPath("items/{id}", "items/a")).toEqual({ id: "a" });
    expect(matchPath("items/{id}", "items/a/sub/b")).toBeUndefined();
    expect(matchPath("rooms/{room}/comments/{c}", "rooms/r1/comments/c1")).toEqual({ room: "r1", c: "c1" });
    expect(matchPath("logs/{rest=**}", "logs/a/b/c")).toEqual({ rest: "a/b/c" });
    expect(matchPath("users/u1", "users/u1")).toEqual({});
    expect(matchPath("users/u1", "users/u2")).toBeUndefined();
  });
});
