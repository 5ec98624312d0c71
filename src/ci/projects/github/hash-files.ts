/**
 * `hashFiles(patterns…)`: the SHA-256 over the SHA-256 of each workspace file the patterns match
 * (`!` excluding), in path order; empty when none does. Synchronous because expressions are.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { compilePathGlob } from "../path-glob.ts";

function files(root: string, relative = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (child === ".git") continue;
    if (entry.isDirectory()) found.push(...files(root, child));
    else if (entry.isFile()) found.push(child);
  }
  return found;
}

export function hashFiles(workspace: string, patterns: readonly string[]): string {
  const rules = patterns.map((raw) => {
    const negated = raw.startsWith("!");
    return { negated, matcher: compilePathGlob((negated ? raw.slice(1) : raw).replace(/^\.\//, "")) };
  });
  const selected = files(workspace)
    .filter((file) => {
      let included = false;
      for (const rule of rules) if (rule.matcher?.(file)) included = !rule.negated;
      return included;
    })
    .sort();
  if (selected.length === 0) return "";
  const total = createHash("sha256");
  for (const file of selected)
    total.update(
      createHash("sha256")
        .update(readFileSync(path.join(workspace, file)))
        .digest(),
    );
  return total.digest("hex");
}
