/**
 * GitLab's variable expansion (`$NAME`, `${NAME}`; an undefined variable is empty, `$$` is a
 * literal `$`) and the job's variables as a shell prelude that expands them the same way inside
 * the container, where `$CI_PROJECT_DIR` and the image's own environment are known.
 */
import type { GitlabVariable } from "./model.ts";
import { shellQuote } from "../../../common/shell-quote.ts";

const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function expandVariables(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(reference, (match, braced: string | undefined, bare: string | undefined) => {
    if (match === "$$") return "$";
    return variables[braced ?? bare ?? ""] ?? "";
  });
}

/** A POSIX-shell word whose value is `text` with GitLab's expansion done by the shell. */
export function shellWord(text: string, expand: boolean): string {
  if (!expand) return shellQuote(text);
  let word = "";
  let last = 0;
  for (const match of text.matchAll(reference)) {
    const literal = text.slice(last, match.index) + (match[0] === "$$" ? "$" : "");
    if (literal !== "") word += shellQuote(literal);
    const name = match[1] ?? match[2];
    if (name !== undefined) word += `"\${${name}}"`;
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  if (rest !== "" || word === "") word += shellQuote(rest);
  return word;
}

/** `export NAME=value` lines, in order, so that later variables can use earlier ones. */
export function exportLines(variables: Readonly<Record<string, GitlabVariable>>): string[] {
  return Object.entries(variables)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, variable]) => `export ${name}=${shellWord(variable.value, variable.expand)}`);
}
