import { manualClock } from "./clock";
import { UnavailableError } from "./errors";
import { runQuery, type MonitoredQuery } from "./firestore-queries";
import { queryShape } from "./query-shapes";

const shape = queryShape({ name: "test.list", collectionGroup: "things", equality: ["workspaceId"], orderBy: [["createdAt", "desc"]] });

function recorder() {
  const records: { level: string; event: string; fields: Record<string, unknown> }[] = [];
  return {
    records,
    log: {
      warn: (event: string, fields?: Record<string, unknown>) => records.push({ level: "warn", event, fields: fields ?? {} }),
      error: (event: string, fields?: Record<string, unknown>) => records.push({ level: "error", event, fields: fields ?? {} }),
    },
  };
}

/** A query that takes `ms` on the manual clock and can be explained. */
function fakeQuery(clock: ReturnType<typeof manualClock>, ms: number, result = "rows") {
  const calls = { get: 0, explain: 0 };
  const query: MonitoredQuery<string> = {
    get: async () => {
      calls.get++;
      clock.advance(ms);
      return result;
    },
    explain: async () => {
      calls.explain++;
      return {
        metrics: {
          planSummary: { indexesUsed: [{ query_scope: "Collection", properties: "(workspaceId ASC, createdAt DESC, __name__ DESC)" }] },
          executionStats: { resultsReturned: 3, readOperations: 3, debugStats: { documents_scanned: "120", index_entries_scanned: "120" } },
        },
      };
    },
  };
  return { query, calls };
}

describe("runQuery", () => {
  it("returns the result of a fast query and records nothing", async () => {
    const clock = manualClock();
    const { log, records } = recorder();
    const { query, calls } = fakeQuery(clock, 20);
    await expect(runQuery(shape, query, { clock, log, slowMs: 500 })).resolves.toBe("rows");
    expect(records).toEqual([]);
    expect(calls).toEqual({ get: 1, explain: 0 });
  });

  it("explains a slow query and logs what it scanned and returned, naming no values", async () => {
    const clock = manualClock();
    const { log, records } = recorder();
    const { query, calls } = fakeQuery(clock, 700);
    await expect(runQuery(shape, query, { clock, log, slowMs: 500, explainEveryMs: 0 })).resolves.toBe("rows");
    expect(calls.explain).toBe(1);
    expect(records).toEqual([
      {
        level: "warn",
        event: "slow_query",
        fields: {
          query: "test.list",
          collectionGroup: "things",
          durationMs: 700,
          thresholdMs: 500,
          indexesUsed: [{ query_scope: "Collection", properties: "(workspaceId ASC, createdAt DESC, __name__ DESC)" }],
          documentsReturned: 3,
          documentsScanned: 120,
          indexEntriesScanned: 120,
          readOperations: 3,
        },
      },
    ]);
  });

  it("explains one query name at most once per interval, and still logs the slow runs", async () => {
    const clock = manualClock();
    const { log, records } = recorder();
    const named = queryShape({ name: "test.throttled", collectionGroup: "things" });
    const { query, calls } = fakeQuery(clock, 900);
    await runQuery(named, query, { clock, log, slowMs: 500, explainEveryMs: 60_000 });
    await runQuery(named, query, { clock, log, slowMs: 500, explainEveryMs: 60_000 });
    expect(calls.explain).toBe(1);
    expect(records.map((r) => r.fields.explain)).toEqual([undefined, "skipped (explained recently)"]);
    clock.advance(60_000);
    await runQuery(named, query, { clock, log, slowMs: 500, explainEveryMs: 60_000 });
    expect(calls.explain).toBe(2);
  });

  it("logs a slow read that cannot be explained (a transaction read) without failing it", async () => {
    const clock = manualClock();
    const { log, records } = recorder();
    const read = { get: async () => (clock.advance(800), 5) };
    await expect(runQuery(shape, read, { clock, log, slowMs: 500 })).resolves.toBe(5);
    expect(records[0]?.fields).toMatchObject({ query: "test.list", durationMs: 800, explain: "unavailable (transaction or vector read)" });
  });

  it("turns a missing-index refusal into a missing_index record with the index to add and an UnavailableError", async () => {
    const { log, records } = recorder();
    const refusal = Object.assign(
      new Error("9 FAILED_PRECONDITION: The query requires an index. You can create it here: https://console.firebase.google.com/v1/r/project/p/firestore/indexes?create_composite=abc"),
      { code: 9 },
    );
    const error = await runQuery(shape, { get: () => Promise.reject(refusal) }, { log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).details).toEqual({ reason: "missing_index", query: "test.list" });
    expect(records).toEqual([
      {
        level: "error",
        event: "missing_index",
        fields: {
          query: "test.list",
          collectionGroup: "things",
          createUrl: "https://console.firebase.google.com/v1/r/project/p/firestore/indexes?create_composite=abc",
          addToFirestoreIndexesJson: [
            {
              collectionGroup: "things",
              queryScope: "COLLECTION",
              fields: [
                { fieldPath: "workspaceId", order: "ASCENDING" },
                { fieldPath: "createdAt", order: "DESCENDING" },
              ],
            },
          ],
        },
      },
    ]);
  });

  it("rethrows any other error unchanged", async () => {
    const { log, records } = recorder();
    const boom = Object.assign(new Error("14 UNAVAILABLE: connection reset"), { code: 14 });
    await expect(runQuery(shape, { get: () => Promise.reject(boom) }, { log })).rejects.toBe(boom);
    expect(records).toEqual([]);
  });
});
