import { Timestamp } from "firebase-admin/firestore";
import { mentions, replaceDeep } from "./subject-data";
import { cutoffOf, PURGED_CLASSES, RETENTION_POLICIES } from "./retention-policies";

describe("anonymising a record that stays", () => {
  it("replaces the person's id and email wherever they occur in its strings, however deep", () => {
    const at = Timestamp.fromMillis(0);
    const data = { createdBy: "u1", note: "ask sam@example.com or u1", tags: ["u1", "x"], nested: { actor: "user:u1" }, at, n: 3 };
    const out = replaceDeep(data, ["u1", "sam@example.com"], "erased-user") as typeof data;
    expect(out).toEqual({ createdBy: "erased-user", note: "ask erased-user or erased-user", tags: ["erased-user", "x"], nested: { actor: "user:erased-user" }, at, n: 3 });
    expect(out.at).toBe(at);
    expect(mentions(out, ["u1", "sam@example.com"])).toBe(false);
    expect(mentions(data, ["sam@example.com"])).toBe(true);
  });
});

describe("retention policies", () => {
  it("declare the documented defaults, and the compliance purge runs every class but backups", () => {
    expect(RETENTION_POLICIES.executions.days).toBe(90);
    expect(RETENTION_POLICIES.auditLogs.days).toBe(7 * 365);
    expect(PURGED_CLASSES).not.toContain("backups");
    expect(cutoffOf("executions", Date.UTC(2026, 3, 1))).toBe(Date.UTC(2026, 3, 1) - 90 * 86_400_000);
    expect(cutoffOf("executions", Date.UTC(2026, 3, 1), { executions: 1 })).toBe(Date.UTC(2026, 2, 31));
  });
});
