import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { manualClock } from "../clock";
import type { SecretAuditEntry } from "./secret-audit";
import { createSecretReader } from "./secret-reader";
import { localFileSource, SecretAccessError, type SecretSource } from "./secret-source";

/** A Secret Manager stand-in for reader rules: versions, aliases, and scripted failures. */
function scriptedSource() {
  const versions = new Map<string, { value: string; enabled: boolean }>([["1", { value: "one", enabled: true }]]);
  const aliases = new Map<string, string>([["current", "1"]]);
  const failures: Array<SecretAccessError> = [];
  const calls: string[] = [];
  const source: SecretSource = {
    async access(_secretId, version) {
      calls.push(version);
      const failure = failures.shift();
      if (failure) throw failure;
      const number = version === "latest" ? String(versions.size) : (aliases.get(version) ?? version);
      const found = versions.get(number);
      if (!found) throw new SecretAccessError("missing", "not-found");
      if (!found.enabled) throw new SecretAccessError("disabled", "unavailable");
      return { version: number, value: Buffer.from(found.value) };
    },
  };
  return { source, versions, aliases, failures, calls };
}

function setup(options: { announcements?: () => Promise<number | null> } = {}) {
  const clock = manualClock(0);
  const src = scriptedSource();
  const audit: SecretAuditEntry[] = [];
  const sleeps: number[] = [];
  const reader = createSecretReader({
    source: src.source,
    clock,
    audit: { record: (e) => audit.push(e) },
    actor: "fn-test",
    ttlMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    ...(options.announcements ? { announcements: options.announcements, announcementCheckMs: 100 } : {}),
  });
  return { clock, ...src, audit, sleeps, reader };
}

const transient = () => new SecretAccessError("unavailable", "transient");

describe("secret reader", () => {
  it("serves a value from memory until its TTL ends, then reads again", async () => {
    const { reader, clock, calls } = setup();
    expect((await reader.get("K")).value.toString()).toBe("one");
    clock.advance(999);
    await reader.get("K");
    expect(calls).toEqual(["current"]);
    clock.advance(1);
    await reader.get("K");
    expect(calls).toEqual(["current", "current"]);
  });

  it("concurrent misses share one read", async () => {
    const { reader, calls } = setup();
    await Promise.all([reader.get("K"), reader.get("K"), reader.get("K")]);
    expect(calls).toHaveLength(1);
  });

  it("reads again after an invalidation (a new version announced)", async () => {
    const { reader, versions, aliases } = setup();
    await reader.get("K");
    versions.set("2", { value: "two", enabled: true });
    aliases.set("current", "2");
    expect((await reader.get("K")).value.toString()).toBe("one");
    reader.invalidate("K");
    expect(await reader.get("K")).toEqual({ version: "2", value: Buffer.from("two") });
  });

  it("drops cached values when the announced generation moves", async () => {
    let generation = 1;
    const { reader, clock, versions, aliases } = setup({ announcements: async () => generation });
    await reader.get("K");
    versions.set("2", { value: "two", enabled: true });
    aliases.set("current", "2");
    generation = 2;
    clock.advance(100);
    expect((await reader.get("K")).version).toBe("2");
  });

  it("retries transient failures with exponential backoff", async () => {
    const { reader, failures, sleeps, calls } = setup();
    failures.push(transient(), transient());
    expect((await reader.get("K")).value.toString()).toBe("one");
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it("does not retry a disabled version and does not serve it from a stale cache after its TTL", async () => {
    const { reader, versions, clock, calls } = setup();
    expect((await reader.get("K", "1")).value.toString()).toBe("one");
    versions.get("1")!.enabled = false;
    clock.advance(1000);
    await expect(reader.get("K", "1")).rejects.toMatchObject({ reason: "unavailable" });
    expect(calls).toEqual(["1", "1"]);
  });

  it("serves the last good value of an alias when the newest cannot be read, and audits it as a fallback", async () => {
    const { reader, clock, failures, audit } = setup();
    await reader.get("K");
    clock.advance(1000);
    failures.push(transient(), transient(), transient());
    expect((await reader.get("K")).value.toString()).toBe("one");
    expect(audit.map((e) => e.outcome)).toEqual(["ok", "fallback"]);
    expect(audit[1]).toMatchObject({ kind: "access", secretId: "K", version: "1", actor: "fn-test", detail: "stale current after transient" });
  });

  it("falls back to the previous version when current cannot be read and nothing was read before", async () => {
    const { reader, versions, aliases, failures } = setup();
    versions.set("2", { value: "two", enabled: true });
    aliases.set("current", "2");
    aliases.set("previous", "1");
    failures.push(new SecretAccessError("disabled", "unavailable"));
    expect(await reader.get("K")).toEqual({ version: "1", value: Buffer.from("one") });
  });

  it("reads the newest version of a secret that has no current alias yet (before its first rotation)", async () => {
    const { reader, aliases, calls } = setup();
    aliases.clear();
    expect((await reader.get("K")).version).toBe("1");
    expect(calls).toEqual(["current", "latest"]);
  });

  it("records each read of the source, and failures, in the audit trail", async () => {
    const { reader, audit } = setup();
    await reader.get("K");
    await reader.get("K");
    await expect(reader.get("K", "9")).rejects.toBeInstanceOf(SecretAccessError);
    expect(audit.map((e) => [e.version, e.outcome])).toEqual([
      ["1", "ok"],
      ["9", "error"],
    ]);
  });
});

describe(".secret.local source", () => {
  it("answers each name's one value as version 0, through any selector, and not-found otherwise", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secrets-")), ".secret.local");
    fs.writeFileSync(file, "# local\nINTERNAL_HMAC_KEY=local-value-0123456789\nEMPTY=\n");
    const source = localFileSource(file);
    expect(await source.access("INTERNAL_HMAC_KEY", "current")).toEqual({ version: "0", value: Buffer.from("local-value-0123456789") });
    expect((await source.access("INTERNAL_HMAC_KEY", "0")).version).toBe("0");
    await expect(source.access("INTERNAL_HMAC_KEY", "3")).rejects.toMatchObject({ reason: "not-found" });
    await expect(source.access("EMPTY", "current")).rejects.toMatchObject({ reason: "not-found" });
    await expect(localFileSource(`${file}.missing`).access("X", "current")).rejects.toMatchObject({ reason: "not-found" });
  });
});
