import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { KustomizeError, PathEscapeError, UnsupportedKustomizationError } from "./errors.ts";
import { findKustomizationFile } from "./kustomization-file.ts";
import { isInside } from "./workspace.ts";
import { isPlainObject, parseYaml } from "./yaml.ts";

const directoryFields = ["resources", "bases", "components"] as const;
const helmFields = ["helmCharts", "helmChartInflationGenerator"] as const;

/**
 * Refuses, before kustomize runs, what would make it reach beyond the artifact: remote resources
 * (kustomize would clone or download them; Sluice builds offline, as Flux can be told to),
 * resources, bases and components outside the workspace (kustomize loads such directories even
 * with LoadRestrictionsRootOnly), URLs in file fields, and helmCharts. Follows every local
 * kustomization reachable from `dir`. Files kustomize cannot read are left for it to report.
 */
export async function assertLocalOnly(root: string, dir: string): Promise<void> {
  await reachableDirectories(root, dir);
}

/**
 * `dir` and every local directory its kustomizations build on (resources, bases, components),
 * transitively; refuses what `assertLocalOnly` refuses on the way.
 */
export async function reachableDirectories(root: string, dir: string): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...(await checkKustomization(root, next)));
  }
  return [...seen];
}

/** Checks one kustomization directory; returns the local directories it builds on. */
async function checkKustomization(root: string, dir: string): Promise<string[]> {
  const file = await findKustomizationFile(dir);
  if (file === undefined) return [];
  let kustomization: unknown;
  try {
    kustomization = parseYaml(await readFile(file, "utf8"), `file ${path.relative(root, file)}`);
  } catch (err) {
    if (err instanceof KustomizeError) throw err; // a bound, not a syntax error
    return []; // kustomize reports it
  }
  if (!isPlainObject(kustomization)) return [];
  const where = path.relative(root, file);
  for (const field of helmFields) {
    if (kustomization[field] !== undefined)
      throw new UnsupportedKustomizationError(
        `${where}: '${field}' is not supported; render the chart into the repository (helm template) and list the output as resources`,
      );
  }
  checkFileFields(kustomization, where);
  const directories: string[] = [];
  for (const field of directoryFields) {
    for (const entry of strings(kustomization[field])) {
      const local = await localReference(root, dir, entry, `${where}: ${field} entry '${entry}'`);
      if (local !== undefined) directories.push(local);
    }
  }
  return directories;
}

/** The real directory a resources/bases/components entry names, or undefined for a file or a missing path. */
async function localReference(
  root: string,
  dir: string,
  entry: string,
  what: string,
): Promise<string | undefined> {
  if (isRemoteUrl(entry)) throw remote(what);
  const target = path.resolve(dir, entry);
  if (!isInside(root, target)) throw new PathEscapeError(`${what} points outside the source artifact`);
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) {
    if (looksLikeRepository(entry)) throw remote(what);
    return undefined;
  }
  const resolved = await realpath(target);
  if (!isInside(root, resolved))
    throw new PathEscapeError(`${what} leads outside the source artifact through a symlink`);
  return info.isDirectory() ? resolved : undefined;
}

function remote(what: string): UnsupportedKustomizationError {
  return new UnsupportedKustomizationError(
    `${what} is remote; Sluice builds from the source artifact only: add the remote content to the repository, or fetch it with its own source (GitRepository, OCIRepository) and Kustomization`,
  );
}

/** Fields naming files, which kustomize would download when given an http(s) URL. */
function checkFileFields(kustomization: Record<string, unknown>, where: string): void {
  for (const [field, value] of fileReferences(kustomization)) {
    if (isRemoteUrl(value)) throw remote(`${where}: ${field} entry '${value}'`);
  }
}

function fileReferences(kustomization: Record<string, unknown>): Array<[string, string]> {
  const refs: Array<[string, string]> = [];
  const add = (field: string, values: string[]): void => values.forEach((v) => refs.push([field, v]));
  for (const field of [
    "patchesStrategicMerge",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
  ])
    add(field, strings(kustomization[field]));
  for (const field of ["patches", "patchesJson6902", "replacements"])
    add(
      field,
      objects(kustomization[field]).flatMap((item) => strings([item["path"]])),
    );
  const openapi = kustomization["openapi"];
  if (isPlainObject(openapi)) add("openapi", strings([openapi["path"]]));
  for (const field of ["configMapGenerator", "secretGenerator"]) {
    for (const generator of objects(kustomization[field])) {
      const files = strings(generator["files"]).map((file) => file.slice(file.indexOf("=") + 1));
      add(field, [...files, ...strings(generator["envs"]), ...strings([generator["env"]])]);
    }
  }
  return refs;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function objects(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** A URL (any scheme), go-getter's `git::` prefix, `gh:` shorthand or scp-like `user@host:path`. */
export function isRemoteUrl(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(git::|gh:)/.test(entry) || /^[\w.-]+@[\w.-]+:/.test(entry)
  );
}

/** `github.com/org/repo//path?ref=v1` style: a host name as first path segment. */
function looksLikeRepository(entry: string): boolean {
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/[^/]/i.test(entry);
}
