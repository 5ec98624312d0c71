/**
 * The import rules of DESIGN.md §3, checked on every module under src/: lower parts never import
 * higher ones, only `cli/dev`, `cli/demo`, tests and benchmarks import `dev/`, only `cli/` imports
 * `cli/`, and production code never imports test support. Prints each violation; exits 1 on any.
 *
 *   scripts/with-node.sh node scripts/check-imports.ts [root]
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The stack, highest first; a part may import its own row and the rows below it. */
const rows: readonly (readonly string[])[] = [
  ["cli"],
  ["server", "install"],
  // delivery traces read what both halves recorded: the CI store and the controllers' objects
  ["trace"],
  ["controllers", "ci"],
  ["kustomize", "automation", "source", "notification", "install"],
  ["api", "runtime", "image"],
  ["kube", "git", "oci", "process", "http", "semver", "common"],
];
const devImporters = ["src/cli/dev", "src/cli/demo"];

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const isTestCode = (file: string) =>
  /\.test(-support)?\.ts$/.test(file) || file.startsWith("test/") || file.startsWith("bench/");

function part(file: string): string | undefined {
  const [top, name] = file.split("/");
  return top === "src" && name ? name.replace(/\.ts$/, "") : undefined;
}

function row(partName: string): number {
  return rows.findIndex((r) => r.includes(partName));
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The relative module specifiers a source text imports or re-exports. */
export function importedSpecifiers(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? "").filter((s) => s.startsWith("."));
}

/** What `file` (relative to the repository root) may not import of `target`, or undefined. */
export function violatedRule(file: string, target: string): string | undefined {
  if (isTestCode(file)) return undefined;
  if (isTestCode(target)) return "production code imports test support";
  const from = part(file);
  const to = part(target);
  if (!from || !to || from === to) return undefined;
  if (to === "dev") {
    return devImporters.some((p) => file === `${p}.ts` || file.startsWith(`${p}/`))
      ? undefined
      : "only cli/dev, cli/demo, tests and benchmarks import dev/";
  }
  if (from === "dev") return to === "cli" ? "dev/ imports cli/" : undefined;
  if (to === "cli") return "only cli/ imports cli/";
  const [fromRow, toRow] = [row(from), row(to)];
  if (fromRow < 0) return `src/${from} has no row in scripts/check-imports.ts`;
  if (toRow < 0) return `src/${to} has no row in scripts/check-imports.ts`;
  return toRow < fromRow ? `${from} (row ${fromRow}) imports ${to}, a higher row (${toRow})` : undefined;
}

async function sourceFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(root, rel);
      return Promise.resolve(e.name.endsWith(".ts") ? [rel] : []);
    }),
  );
  return nested.flat();
}

export async function checkImports(root: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const file of await sourceFiles(root, "src")) {
    const source = await readFile(path.join(root, file), "utf8");
    for (const specifier of importedSpecifiers(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const rule = violatedRule(file, target);
      if (rule) violations.push({ file, specifier, rule });
    }
  }
  return violations;
}

if (import.meta.main) {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, ".."));
  const violations = await checkImports(root);
  for (const v of violations) console.error(`${v.file}: imports ${v.specifier}: ${v.rule}`);
  if (violations.length > 0) {
    console.error(`${violations.length} import(s) break the rules of DESIGN.md §3`);
    process.exit(1);
  }
}
