/**
 * Source trees as deterministic `.tar.gz` artifacts: from a git commit, read straight from the
 * object store (no checkout), or from a directory on disk. Entries are sorted bytewise, carry no
 * times or owners, files are 0644 or 0755 (any executable bit), symlinks stay symlinks unless they
 * lead outside the tree, and the gzip header is fixed, so equal content gives an equal digest.
 */
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { sha256Digest } from "../oci/digest.ts";
import { createTar, type TarEntry } from "../common/tar.ts";
import { dropEscapingSymlinks, mergeEntries } from "./entries.ts";
import { BlobReader, listTree, type TreeEntry } from "./git-objects.ts";
import { buildIgnoreMatcher, sourceIgnoreFileName, type IgnoreMatcher } from "./ignore.ts";
import { ArchiveTooLargeError, defaultMaxArchiveBytes, formatBytes, gzipDeterministic } from "./tar-gz.ts";

export interface ArchiveOptions {
  /** Limit on the summed size of the files archived, before compression; default 100 MiB. */
  maxBytes?: number;
  signal?: AbortSignal;
  /**
   * Files laid over the tree before ignore rules apply (see `includeEntries`): the content of
   * included artifacts. Their `.sourceignore` files count too, as in Flux.
   */
  addEntries?: readonly TarEntry[];
}

export interface GitTreeArchiveOptions extends ArchiveOptions {
  /** `spec.ignore`. */
  specIgnore?: string | undefined;
}

export interface SkippedEntry {
  path: string;
  reason: "submodule" | "escaping-symlink" | "special-file";
}

export interface SourceArchive {
  bytes: Buffer;
  /** "sha256:<hex>" of `bytes`. */
  digest: string;
  size: number;
  /** Files and symlinks in the archive. */
  fileCount: number;
  /** Entries of the source left out for safety or because they cannot be archived. */
  skipped: SkippedEntry[];
}

/** A file or symlink of the source, read only once it is known to be archived. */
interface SourceFile {
  path: string;
  type: "file" | "symlink";
  executable: boolean;
  size: number;
  load: () => Promise<Buffer>;
}

const loadConcurrency = 16;

/**
 * Archives `commit` (any tree-ish) of the repository at `repoDir` without checking it out.
 * Submodules (gitlinks) are skipped; archive a recursive checkout with {@link archiveDirectory}.
 */
export async function archiveGitTree(
  repoDir: string,
  commit: string,
  options: GitTreeArchiveOptions = {},
): Promise<SourceArchive> {
  const tree = await listTree(repoDir, commit, { signal: options.signal });
  const reader = new BlobReader(repoDir, { signal: options.signal });
  try {
    const blobs = tree.filter((entry) => entry.mode !== "160000").map((entry) => blobFile(entry, reader));
    const submodules = tree.filter((entry) => entry.mode === "160000");
    const files = mergeEntries(blobs, (options.addEntries ?? []).flatMap(tarEntryFile));
    const matcher = buildIgnoreMatcher({
      specIgnore: options.specIgnore,
      sourceIgnoreFiles: await readSourceIgnoreFiles(files),
    });
    const skipped = submodules.map((entry): SkippedEntry => ({ path: entry.path, reason: "submodule" }));
    return await archiveFiles(files, matcher, skipped, options);
  } finally {
    await reader.close();
  }
}

/**
 * Archives the directory `dir` (a checkout with submodules, say), without following symlinks.
 * `.git` entries are never archived. Build `matcher` with {@link loadSourceIgnoreFiles}.
 */
export async function archiveDirectory(
  dir: string,
  matcher: IgnoreMatcher,
  options: ArchiveOptions = {},
): Promise<SourceArchive> {
  const { files, skipped } = await walkDirectory(dir, options.signal);
  const merged = mergeEntries(files, (options.addEntries ?? []).flatMap(tarEntryFile));
  return archiveFiles(merged, matcher, skipped, options);
}

/** The `.sourceignore` files below `dir`, by the directory holding them ("" for `dir` itself). */
export async function loadSourceIgnoreFiles(dir: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const { files } = await walkDirectory(dir, signal);
  return readSourceIgnoreFiles(files);
}

async function archiveFiles(
  files: readonly SourceFile[],
  matcher: IgnoreMatcher,
  skipped: SkippedEntry[],
  options: ArchiveOptions,
): Promise<SourceArchive> {
  const maxBytes = options.maxBytes ?? defaultMaxArchiveBytes;
  const archived = files.filter((file) => !matcher(file.path, false));
  checkTotalSize(
    archived.map((file) => file.size),
    maxBytes,
  );
  const entries = await mapLimit(archived, loadConcurrency, async (file) => {
    options.signal?.throwIfAborted();
    return toTarEntry(file, await file.load());
  });
  checkTotalSize(entries.map(entrySize), maxBytes);
  const { kept, dropped } = dropEscapingSymlinks(entries);
  const escaping = dropped.map((p): SkippedEntry => ({ path: p, reason: "escaping-symlink" }));
  const skippedButNotIgnored = skipped.filter((entry) => !matcher(entry.path, false));
  return packArchive(kept, [...skippedButNotIgnored, ...escaping]);
}

function packArchive(entries: TarEntry[], skipped: SkippedEntry[]): SourceArchive {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const bytes = gzipDeterministic(createTar(sorted));
  const bySkippedPath = (a: SkippedEntry, b: SkippedEntry): number => (a.path < b.path ? -1 : 1);
  return {
    bytes,
    digest: sha256Digest(bytes),
    size: bytes.length,
    fileCount: sorted.length,
    skipped: skipped.sort(bySkippedPath),
  };
}

function checkTotalSize(sizes: readonly number[], maxBytes: number): void {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total > maxBytes) {
    throw new ArchiveTooLargeError(
      `source files add up to ${formatBytes(total)} in ${sizes.length} files, more than the limit of ` +
        `${formatBytes(maxBytes)}; exclude what is not needed with .sourceignore or spec.ignore`,
    );
  }
}

function blobFile(entry: TreeEntry, reader: BlobReader): SourceFile {
  const mode = parseInt(entry.mode, 8);
  return {
    path: entry.path,
    type: entry.mode === "120000" ? "symlink" : "file",
    executable: (mode & 0o111) !== 0,
    size: entry.size ?? 0,
    load: () => reader.read(entry.oid),
  };
}

function tarEntryFile(entry: TarEntry): SourceFile[] {
  if (entry.type === "directory") return [];
  const content = Buffer.from(entry.type === "file" ? entry.content : entry.target);
  const executable = entry.type === "file" && ((entry.mode ?? 0o644) & 0o111) !== 0;
  return [
    {
      path: entry.path,
      type: entry.type,
      executable,
      size: content.length,
      load: () => Promise.resolve(content),
    },
  ];
}

function toTarEntry(file: SourceFile, content: Buffer): TarEntry {
  return file.type === "symlink"
    ? { type: "symlink", path: file.path, target: content.toString("utf8") }
    : { type: "file", path: file.path, content, mode: file.executable ? 0o755 : 0o644 };
}

function entrySize(entry: TarEntry): number {
  return entry.type === "file" ? entry.content.length : 0;
}

async function readSourceIgnoreFiles(files: readonly SourceFile[]): Promise<Map<string, string>> {
  const ignoreFiles = files.filter(
    (file) => file.type === "file" && path.posix.basename(file.path) === sourceIgnoreFileName,
  );
  const contents = await Promise.all(ignoreFiles.map((file) => file.load()));
  return new Map(
    ignoreFiles.map((file, i) => [path.posix.dirname(file.path).replace(/^\.$/, ""), String(contents[i])]),
  );
}

async function walkDirectory(
  root: string,
  signal: AbortSignal | undefined,
): Promise<{ files: SourceFile[]; skipped: SkippedEntry[] }> {
  const files: SourceFile[] = [];
  const skipped: SkippedEntry[] = [];
  const visit = async (relativeDir: string): Promise<void> => {
    signal?.throwIfAborted();
    const dirents = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    for (const dirent of dirents) {
      if (dirent.name === ".git") continue;
      const relative = relativeDir === "" ? dirent.name : `${relativeDir}/${dirent.name}`;
      if (dirent.isDirectory()) await visit(relative);
      else if (dirent.isFile() || dirent.isSymbolicLink()) files.push(await diskFile(root, relative));
      else skipped.push({ path: relative, reason: "special-file" });
    }
  };
  await visit("");
  return { files, skipped };
}

async function diskFile(root: string, relative: string): Promise<SourceFile> {
  const absolute = path.join(root, relative);
  const stats = await lstat(absolute);
  if (stats.isSymbolicLink()) {
    const target = Buffer.from(await readlink(absolute, { encoding: "buffer" }));
    return {
      path: relative,
      type: "symlink",
      executable: false,
      size: target.length,
      load: () => Promise.resolve(target),
    };
  }
  return {
    path: relative,
    type: "file",
    executable: (stats.mode & 0o111) !== 0,
    size: stats.size,
    load: () => readFile(absolute),
  };
}

/** Like Promise.all over `items.map(fn)`, with at most `limit` calls in flight; keeps the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
