/**
 * Files of a job's workspace by path patterns (artifacts, caches): a pattern matches a file or a
 * directory, a directory bringing everything under it; `.git` is never walked. Copies keep the
 * relative paths, so extracting into another workspace puts each file where the job left it.
 */
import { cp, lstat, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { compilePathGlob, type PathMatcher } from "./path-glob.ts";

async function walk(root: string, relative = ""): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (child === ".git") continue;
    found.push(child);
    if (entry.isDirectory()) found.push(...(await walk(root, child)));
  }
  return found;
}

function matchers(patterns: readonly string[]): PathMatcher[] {
  return patterns.map((pattern) => {
    const matcher = compilePathGlob(pattern.replace(/\/+$/, ""));
    if (!matcher) throw new Error(`invalid path pattern ${JSON.stringify(pattern)}`);
    return matcher;
  });
}

/** The workspace paths (relative, files and directories) the patterns select, minus `exclude`. */
export async function selectPaths(
  root: string,
  patterns: readonly string[],
  exclude: readonly string[] = [],
): Promise<string[]> {
  if (patterns.length === 0) return [];
  const include = matchers(patterns);
  const excluded = matchers(exclude);
  const underMatch = (file: string, set: PathMatcher[]) => {
    const parts = file.split("/");
    return parts.some((_, i) => set.some((m) => m(parts.slice(0, i + 1).join("/"))));
  };
  const all = await walk(root);
  return all.filter((file) => underMatch(file, include) && !underMatch(file, excluded));
}

/** Copies the selected paths from `from` to the same places under `to`; returns how many files. */
export async function copySelected(from: string, to: string, paths: readonly string[]): Promise<number> {
  let files = 0;
  for (const relative of paths) {
    const stat = await lstat(path.join(from, relative));
    if (stat.isDirectory()) continue;
    await cp(path.join(from, relative), path.join(to, relative), { force: true, verbatimSymlinks: true });
    files++;
  }
  return files;
}

/** Makes `target` hold exactly the workspace files the patterns select (minus `exclude`); answers how many. */
export async function saveSelected(
  workspace: string,
  target: string,
  patterns: readonly string[],
  exclude: readonly string[] = [],
): Promise<number> {
  const selected = await selectPaths(workspace, patterns, exclude);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  return copySelected(workspace, target, selected);
}

/** Copies everything under `from` into `to`, overwriting. */
export async function overlay(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, force: true, verbatimSymlinks: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    },
  );
}
