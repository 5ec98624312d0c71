/**
 * Names of resources, jobs, groups and steps, checked as Concourse's ValidateIdentifier does: an
 * empty name is an error; a name Concourse would not accept for new pipelines is a warning.
 */
import type { IssueCollector } from "./issues.ts";

const LETTER_OR_DIGIT = String.raw`\p{Ll}\p{Lt}\p{Lm}\p{Lo}\d`;
const VALID = new RegExp(`^[${LETTER_OR_DIGIT}][${LETTER_OR_DIGIT}\\-_.]*$`, "u");
const INVALID_CHARACTER = new RegExp(`[^${LETTER_OR_DIGIT}\\-_.]`, "u");

/** Why `name` is not a valid identifier, or undefined when it is. */
export function identifierProblem(name: string): string | undefined {
  if (/^\d+$/.test(name)) return "cannot be just numbers";
  if (VALID.test(name)) return undefined;
  if (!new RegExp(`^[${LETTER_OR_DIGIT}]`, "u").test(name))
    return "must start with a lowercase letter or a number";
  return `illegal character '${INVALID_CHARACTER.exec(name.slice(1))?.[0] ?? ""}'`;
}

export function checkIdentifier(issues: IssueCollector, path: readonly PropertyKey[], name: string): void {
  if (name === "") {
    issues.error(path, "identifier cannot be an empty string");
    return;
  }
  const problem = identifierProblem(name);
  if (problem) issues.warn(path, `'${name}' is not a valid identifier: ${problem}`);
}

/** Reports each name already used by an earlier item of the same section. */
export function checkUniqueNames(
  issues: IssueCollector,
  section: string,
  items: readonly { name: string }[] | undefined,
): void {
  const firstIndex = new Map<string, number>();
  (items ?? []).forEach(({ name }, i) => {
    checkIdentifier(issues, [section, i, "name"], name);
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, i);
    else if (name !== "")
      issues.error([section, i, "name"], `'${name}' is already the name of ${section}[${first}]`);
  });
}
