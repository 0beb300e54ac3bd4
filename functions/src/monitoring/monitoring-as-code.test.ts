import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..", "monitoring");
const files = (dir: string, ext: string) => fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(ext)).map((f) => path.join(ROOT, dir, f));

describe("monitoring/ as code", () => {
  it("holds alert policies that parse, notify a channel and link an existing runbook", () => {
    const policies = files("alert-policies", ".json").map((file) => ({ file, policy: JSON.parse(fs.readFileSync(file, "utf8")) as { conditions: unknown[]; notificationChannels: string[]; documentation: { content: string } } }));
    expect(policies.length).toBeGreaterThan(5);
    for (const { policy } of policies) {
      expect(policy.conditions.length).toBeGreaterThan(0);
      expect(policy.notificationChannels).toEqual(["${NOTIFICATION_CHANNEL}"]);
      const runbook = /monitoring\/runbooks\/([a-z0-9-]+)\.md/.exec(policy.documentation.content)?.[1];
      expect(runbook && fs.existsSync(path.join(ROOT, "runbooks", `${runbook}.md`))).toBe(true);
    }
  });

  it("holds a dashboard and log-based metric definitions", () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, "dashboards", "service-overview.json"), "utf8")) as { mosaicLayout: { tiles: unknown[] } };
    expect(dashboard.mosaicLayout.tiles.length).toBeGreaterThan(5);
    const metrics = files("log-metrics", ".yaml").map((file) => fs.readFileSync(file, "utf8"));
    expect(metrics.length).toBeGreaterThan(3);
    for (const text of metrics) expect(text).toMatch(/^name: rag_[a-z_]+$/m);
  });

  // The rules themselves run only in the official Firestore emulator (Java 21; not on this machine): their text is checked here.
  it("lets only admins read the monitoring collections, and nobody write them (firestore.rules)", () => {
    const rules = fs.readFileSync(path.resolve(ROOT, "..", "firestore.rules"), "utf8");
    expect(rules).toMatch(/function isAdmin\(\) \{\s*return signedIn\(\) && request\.auth\.token\.admin == true;\s*\}/);
    for (const collection of ["metrics", "metricsHourly", "metricsDaily", "alerts", "alertHistory"]) {
      const block = new RegExp(`match /${collection}/\\{\\w+\\} \\{\\s*allow read: if isAdmin\\(\\);\\s*\\}`);
      expect(rules).toMatch(block);
    }
    expect(rules).not.toMatch(/match \/(metrics|alerts)[^}]*allow (write|create|update|delete)/);
  });
});
