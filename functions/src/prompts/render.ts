import { PayloadTooLargeError, ValidationError, type FieldIssue } from "../lib/errors";
import { PROMPT_LIMITS } from "./prompt-limits";
import type { PromptVersionView, RenderedPrompt } from "./prompt-types";
import { fillSegments, parseTemplate } from "./template";
import { renderValue, valueProblem } from "./variable-spec";

export type RenderableVersion = Pick<PromptVersionView, "template" | "variables" | "systemTemplate">;

/**
 * Renders a version with caller-supplied variables. Pure and strict: every problem is a
 * `ValidationError` naming the variable (`variables.<name>`), and nothing renders empty by
 * accident.
 * - a required variable that is missing, or any value of the wrong type or not allowed, fails;
 * - a variable that is not declared fails (typos are caught, not ignored);
 * - an optional variable that is missing takes its declared default.
 * Executions call this with the version from `resolveVersion`.
 */
export function renderTemplate(version: RenderableVersion, variables: Readonly<Record<string, unknown>> = {}): RenderedPrompt {
  const issues: FieldIssue[] = [];
  const specs = new Map(version.variables.map((spec) => [spec.name, spec]));

  for (const name of Object.keys(variables)) {
    if (!specs.has(name)) issues.push({ path: `variables.${name}`, message: `Unknown variable '${name}': it is not declared by this version` });
  }
  const values = new Map<string, string>();
  for (const spec of version.variables) {
    const supplied = Object.hasOwn(variables, spec.name) ? variables[spec.name] : undefined;
    if (supplied === undefined) {
      if (spec.required || spec.default === undefined) {
        issues.push({ path: `variables.${spec.name}`, message: `Missing required variable '${spec.name}'` });
      } else {
        values.set(spec.name, renderValue(spec, spec.default));
      }
      continue;
    }
    const problem = valueProblem(spec, supplied);
    if (problem) issues.push({ path: `variables.${spec.name}`, message: `Invalid variable '${spec.name}': ${problem}` });
    else values.set(spec.name, renderValue(spec, supplied));
  }
  if (issues.length > 0) {
    const first = issues[0]?.message ?? "Invalid variables";
    throw new ValidationError(issues.length > 1 ? `${first} (and ${issues.length - 1} more)` : first, issues);
  }

  const user = renderOne(version.template, values, "template");
  if (version.systemTemplate === undefined) return { user };
  return { user, system: renderOne(version.systemTemplate, values, "systemTemplate") };
}

function renderOne(source: string, values: ReadonlyMap<string, string>, field: string): string {
  const parsed = parseTemplate(source);
  const first = parsed.issues[0];
  // Templates are checked when saved; a stored one that fails to parse is corrupt data.
  if (first) throw new ValidationError(`Invalid ${field}: ${first.message} at line ${first.line}, column ${first.column}`, [{ path: field, message: first.message }]);
  for (const segment of parsed.segments) {
    if (segment.kind === "variable" && !values.has(segment.name)) {
      throw new ValidationError(`Invalid ${field}: uses undeclared variable '${segment.name}'`, [{ path: field, message: `Undeclared variable '${segment.name}'` }]);
    }
  }
  const rendered = fillSegments(parsed.segments, values, PROMPT_LIMITS.renderedBytes);
  if (rendered === null) {
    throw new PayloadTooLargeError(`The rendered ${field} exceeds ${PROMPT_LIMITS.renderedBytes} bytes.`, { limit: PROMPT_LIMITS.renderedBytes, field });
  }
  return rendered;
}
