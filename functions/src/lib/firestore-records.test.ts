import { logger as functionsLogger } from "firebase-functions";
import { Timestamp, type DocumentData } from "firebase-admin/firestore";
import { z } from "zod";
import { DataIntegrityError } from "./errors";
import { toHttpsError, toRestError } from "./error-mapping";
import { parseRecord, readRecord, requireRecord, timestampField } from "./firestore-records";

const schema = z.object({ name: z.string(), count: z.number().int(), createdAt: timestampField, tags: z.array(z.string()) });
const path = "workspaces/w1/things/t1";
const snapshot = (data: DocumentData | undefined) => ({ exists: data !== undefined, ref: { path }, data: () => data });
const valid = { name: "a", count: 2, createdAt: Timestamp.fromMillis(1_700_000_000_000), tags: ["x"] };

describe("readRecord", () => {
  let logged: jest.SpyInstance;
  beforeEach(() => {
    logged = jest.spyOn(functionsLogger, "error").mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it("answers null for a document that does not exist", () => {
    expect(readRecord(snapshot(undefined), schema, { kind: "thing" })).toBeNull();
  });

  it("returns the typed value of a valid document, Timestamps intact", () => {
    const record = readRecord(snapshot(valid), schema, { kind: "thing" });

    expect(record).toEqual(valid);
    expect(record?.createdAt).toBeInstanceOf(Timestamp);
  });

  it("drops fields the schema does not name", () => {
    expect(readRecord(snapshot({ ...valid, extra: "ignored" }), schema, { kind: "thing" })).toEqual(valid);
  });

  it("throws DataIntegrityError naming the document and every failing field", () => {
    const read = () => readRecord(snapshot({ ...valid, count: "2", createdAt: "2024-01-01", tags: ["x", 3] }), schema, { kind: "thing" });

    expect(read).toThrow(DataIntegrityError);
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ code: "internal", path, fields: ["count", "createdAt", "tags.1"] });
      expect((error as Error).message).toContain(path);
    }
  });

  it("logs the path and field paths of a malformed document, never its values", () => {
    expect(() => readRecord(snapshot({ ...valid, name: 42, count: "secret-value" }), schema, { kind: "thing" })).toThrow(DataIntegrityError);

    const logs = JSON.stringify(logged.mock.calls);
    expect(logs).toContain("data_integrity_error");
    expect(logs).toContain(path);
    expect(logs).toContain("count");
    expect(logs).not.toContain("secret-value");
    expect(logs).not.toContain("42");
  });

  it("treats a missing required document as malformed in requireRecord", () => {
    expect(() => requireRecord(snapshot(undefined), schema, { kind: "thing" })).toThrow(DataIntegrityError);
  });

  it("parses values stored elsewhere by their key", () => {
    expect(() => parseRecord("cache:key", { name: 1 }, schema, { kind: "cache entry" })).toThrow(/cache:key/);
  });
});

describe("DataIntegrityError at the edge", () => {
  it("is internal for callables and REST, without the stored path or fields", () => {
    const logged = jest.spyOn(functionsLogger, "error").mockImplementation(() => undefined);
    const error = new DataIntegrityError("thing", path, ["count"]);

    expect(toHttpsError(error).code).toBe("internal");
    expect(toHttpsError(error).message).not.toContain(path);
    expect(toRestError(error)).toEqual({ status: 500, body: { error: { code: "internal", message: "Internal error." } } });
    logged.mockRestore();
  });
});
