import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TarEntry } from "../common/tar.ts";
import { InvalidArchiveError, extractTarGz } from "../source/tar-gz.ts";
import { PathEscapeError, PathNotFoundError } from "./errors.ts";

/** A private directory holding one extracted artifact; `root` is a real path (no symlinks in it). */
export interface Workspace {
  readonly root: string;
  dispose(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Bounds the uncompressed artifact; the default of extractTarGz otherwise. */
  maxBytes?: number | undefined;
  /** Parent of the workspace; the system temporary directory by default. */
  tmpDir?: string | undefined;
}

/**
 * Extracts a `.tar.gz` artifact into a fresh private (0700) directory. Entries never land outside
 * it; a symlink whose target resolves outside it is refused with a {@link PathEscapeError} naming
 * the link. Symlinks to files are replaced by copies of their targets, so that kustomize, which
 * refuses symlinks leading out of a kustomization's directory, reads them as Flux does.
 */
export async function createWorkspace(
  artifact: Uint8Array,
  options: WorkspaceOptions = {},
): Promise<Workspace> {
  const entries = extractTarGz(
    artifact,
    options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes },
  );
  const base = await realpath(await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), "sluice-kustomize-")));
  const dispose = (): Promise<void> => rm(base, { recursive: true, force: true, maxRetries: 3 });
  try {
    const root = path.join(base, "source");
    await mkdir(root, { mode: 0o755 });
    await extractEntries(root, entries);
    return { root, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function extractEntries(root: string, entries: readonly TarEntry[]): Promise<void> {
  const links: Array<Extract<TarEntry, { type: "symlink" }>> = [];
  // Links come last: while files are written no link exists that a write could follow.
  for (const entry of entries) {
    const target = entryTarget(root, entry.path);
    if (entry.type === "symlink") links.push(entry);
    else await writeEntry(target, entry);
  }
  for (const link of links) await createLink(root, link);
  for (const link of links) await checkLink(root, link.path);
  for (const link of links) await materialiseFileLink(entryTarget(root, link.path));
}

function entryTarget(root: string, entryPath: string): string {
  const target = path.resolve(root, entryPath);
  if (path.isAbsolute(entryPath) || !isInside(root, target) || target === root)
    throw new InvalidArchiveError(`tar entry ${JSON.stringify(entryPath)} leaves the archive root`);
  return target;
}

async function writeEntry(target: string, entry: Exclude<TarEntry, { type: "symlink" }>): Promise<void> {
  try {
    if (entry.type === "directory") {
      await mkdir(target, { recursive: true, mode: 0o755 });
      return;
    }
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    const executable = ((entry.mode ?? 0) & 0o111) !== 0;
    await writeFile(target, entry.content, { mode: executable ? 0o755 : 0o644 });
  } catch (err) {
    throw conflict(entry.path, err);
  }
}

async function createLink(root: string, link: Extract<TarEntry, { type: "symlink" }>): Promise<void> {
  const target = entryTarget(root, link.path);
  try {
    await assertNoLinkedAncestor(root, link.path);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await symlink(link.target, target);
  } catch (err) {
    throw conflict(link.path, err);
  }
}

/** A link below another link would be created wherever that one points. */
async function assertNoLinkedAncestor(root: string, entryPath: string): Promise<void> {
  const parts = entryPath.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const ancestor = await lstat(path.join(root, ...parts.slice(0, i))).catch(() => undefined);
    if (ancestor === undefined) return;
    if (ancestor.isSymbolicLink())
      throw new InvalidArchiveError(
        `tar entry ${JSON.stringify(entryPath)} lies below the symlink ${JSON.stringify(parts.slice(0, i).join("/"))}`,
      );
  }
}

function conflict(entryPath: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR")
    return new InvalidArchiveError(`tar entry ${JSON.stringify(entryPath)} conflicts with another entry`);
  return err as Error;
}

/** The link, followed through every other link, must end inside the workspace (or dangle inside it). */
async function checkLink(root: string, linkPath: string): Promise<void> {
  const link = path.join(root, linkPath);
  const resolved = await realpath(link).catch(async () =>
    path.resolve(path.dirname(link), await readlink(link)),
  );
  if (!isInside(root, resolved))
    throw new PathEscapeError(
      `symlink '${linkPath}' points outside the source artifact (to '${await readlink(link)}')`,
    );
}

async function materialiseFileLink(link: string): Promise<void> {
  const resolved = await realpath(link).catch(() => undefined);
  if (resolved === undefined || !(await stat(resolved)).isFile()) return;
  await unlink(link);
  await copyFile(resolved, link);
}

/**
 * The directory a Kustomization `path` names, as a real path inside the workspace. Relative to the
 * artifact root; `..` leading out, absolute paths and symlinks leading out raise a
 * {@link PathEscapeError}, a missing path a {@link PathNotFoundError}.
 */
export async function resolveBuildPath(root: string, buildPath: string, revision: string): Promise<string> {
  if (path.isAbsolute(buildPath))
    throw new PathEscapeError(
      `path '${buildPath}' is absolute; it must be relative to the root of the source artifact`,
    );
  const realRoot = await realpath(root);
  const lexical = path.resolve(realRoot, buildPath);
  if (!isInside(realRoot, lexical))
    throw new PathEscapeError(`path '${buildPath}' points outside the source artifact`);
  let resolved: string;
  try {
    resolved = await realpath(lexical);
  } catch {
    throw new PathNotFoundError(buildPath, revision);
  }
  if (!isInside(realRoot, resolved))
    throw new PathEscapeError(`path '${buildPath}' leads outside the source artifact through a symlink`);
  if (!(await stat(resolved)).isDirectory())
    throw new PathNotFoundError(buildPath, revision, "is not a directory");
  return resolved;
}

/** True when `candidate` is `dir` or below it (both absolute and normalised). */
export function isInside(dir: string, candidate: string): boolean {
  const relative = path.relative(dir, candidate);
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
