import { diffText, diffVersions } from "./prompt-diff";
import type { VariableSpec } from "./prompt-types";

const spec = (name: string, extra: Partial<VariableSpec> = {}): VariableSpec => ({ name, type: "string", required: true, ...extra });

describe("diffVersions", () => {
  it("shows the template as added, removed and unchanged lines", () => {
    const diff = diffText("intro\nold line\noutro\n", "intro\nnew line\nextra\noutro\n");

    expect(diff.changes).toEqual([
      { kind: "unchanged", lines: ["intro"] },
      { kind: "removed", lines: ["old line"] },
      { kind: "added", lines: ["new line", "extra"] },
      { kind: "unchanged", lines: ["outro"] },
    ]);
    expect(diff).toMatchObject({ added: 2, removed: 1, coarse: false });
  });

  it("reports added, removed and changed variables with the changed fields", () => {
    const diff = diffVersions(
      { version: 1, template: "t", variables: [spec("a"), spec("b"), spec("c", { required: false, default: "x" })] },
      { version: 2, template: "t", variables: [spec("a"), spec("c", { required: false, default: "y", description: "now documented" }), spec("d")] },
    );

    expect(diff.variables.added.map((v) => v.name)).toEqual(["d"]);
    expect(diff.variables.removed.map((v) => v.name)).toEqual(["b"]);
    expect(diff.variables.changed).toEqual([expect.objectContaining({ name: "c", fields: ["description", "default"] })]);
  });

  it("reports settings changes and omits the system template when neither has one", () => {
    const diff = diffVersions({ version: 1, template: "t", variables: [], model: "m1", temperature: 0.2 }, { version: 3, template: "t", variables: [], model: "m2", temperature: 0.2, maxOutputTokens: 100 });

    expect(diff.settings).toEqual([
      { field: "model", from: "m1", to: "m2" },
      { field: "maxOutputTokens", from: null, to: 100 },
    ]);
    expect(diff.systemTemplate).toBeNull();
    expect(diff.template.changes).toEqual([{ kind: "unchanged", lines: ["t"] }]);
    expect(diff).toMatchObject({ from: 1, to: 3 });
  });

  it("diffs an added system template against empty", () => {
    const diff = diffVersions({ version: 1, template: "t", variables: [] }, { version: 2, template: "t", variables: [], systemTemplate: "be brief" });

    expect(diff.systemTemplate?.changes).toEqual([{ kind: "added", lines: ["be brief"] }]);
  });

  it("falls back to a coarse diff when the texts differ beyond the edit budget", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join("\n");
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join("\n");
    const diff = diffText(a, b);

    expect(diff.coarse).toBe(true);
    expect(diff).toMatchObject({ added: 3000, removed: 3000 });
  });
});
