import type { FieldIssue } from "../lib/errors";
import type { VariableSpec } from "./prompt-types";
import { parseTemplate, placeholderNames } from "./template";
import { variableSpecIssues } from "./variable-spec";

export type VersionContent = { template: string; systemTemplate?: string; variables: VariableSpec[] };

/**
 * What makes a version unsaveable beyond field types: a malformed placeholder, a placeholder
 * whose variable is not declared, a duplicate variable, an inconsistent variable spec. Declared
 * but unused variables are fine (a caller may still pass them).
 */
export function versionContentIssues(content: VersionContent): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const declared = new Set<string>();
  content.variables.forEach((spec, i) => {
    if (declared.has(spec.name)) issues.push({ path: `variables.${i}.name`, message: `Duplicate variable '${spec.name}'` });
    declared.add(spec.name);
    for (const issue of variableSpecIssues(spec)) issues.push({ path: `variables.${i}.${issue.path}`, message: `${spec.name}: ${issue.message}` });
  });
  const templates: Array<["template" | "systemTemplate", string | undefined]> = [
    ["template", content.template],
    ["systemTemplate", content.systemTemplate],
  ];
  for (const [field, source] of templates) {
    if (source === undefined) continue;
    const parsed = parseTemplate(source);
    for (const issue of parsed.issues) issues.push({ path: field, message: `${issue.message} at line ${issue.line}, column ${issue.column}` });
    for (const name of placeholderNames(parsed)) {
      if (!declared.has(name)) issues.push({ path: field, message: `Uses undeclared variable '${name}': declare it in variables` });
    }
  }
  return issues;
}
