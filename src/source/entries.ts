import type { TarEntry } from "../common/tar.ts";
import { InvalidArchiveError, normaliseEntryPath } from "./tar-gz.ts";

/**
 * Takes the entries under `fromPath` (all of them when empty) and places them under `toPath`, the
 * way GitRepository `include` copies another artifact's content. Directory entries are dropped.
 */
export function includeEntries(
  entries: readonly TarEntry[],
  options: { fromPath?: string | undefined; toPath: string },
): TarEntry[] {
  const from = insidePath(options.fromPath ?? "", "fromPath");
  const to = insidePath(options.toPath, "toPath");
  return entries.flatMap((entry) => {
    if (entry.type === "directory") return [];
    const relative = relativeTo(entry.path, from);
    const path = relative === undefined ? "" : [to, relative].filter((p) => p !== "").join("/");
    return path === "" ? [] : [{ ...entry, path }];
  });
}

/**
 * `base` with `overlay` laid over it: an overlay entry replaces the base entry at its path, a base
 * file or symlink standing where the overlay needs a directory, and base entries below a path the
 * overlay turns into a file or symlink. Order: base entries kept, then the overlay.
 */
export function mergeEntries<T extends { path: string; type: string }>(
  base: readonly T[],
  overlay: readonly T[],
): T[] {
  const overlayPaths = new Set(overlay.map((e) => e.path));
  const overlayDirectories = new Set(overlay.flatMap((e) => ancestors(e.path)));
  const overlayLeaves = new Set(overlay.filter((e) => e.type !== "directory").map((e) => e.path));
  const kept = base.filter(
    (entry) =>
      !overlayPaths.has(entry.path) &&
      !(entry.type !== "directory" && overlayDirectories.has(entry.path)) &&
      !ancestors(entry.path).some((dir) => overlayLeaves.has(dir)),
  );
  return [...kept, ...overlay];
}

const maxSymlinkHops = 40;

/**
 * Drops symlinks that lead outside the archive root once extracted: absolute targets, targets
 * climbing above the root, and chains through other symlinks of the archive that do either (or
 * loop). Dropping one link can change how others resolve, so this repeats until nothing changes.
 */
export function dropEscapingSymlinks(entries: readonly TarEntry[]): { kept: TarEntry[]; dropped: string[] } {
  const links = new Map(entries.flatMap((e) => (e.type === "symlink" ? [[e.path, e.target] as const] : [])));
  const dropped: string[] = [];
  for (;;) {
    const escaping = [...links.keys()].filter((path) => !resolvesInside(path, links));
    if (escaping.length === 0) break;
    for (const path of escaping) links.delete(path);
    dropped.push(...escaping);
  }
  const kept = entries.filter((e) => e.type !== "symlink" || links.has(e.path));
  return { kept, dropped: dropped.sort() };
}

function resolvesInside(linkPath: string, links: ReadonlyMap<string, string>): boolean {
  const target = links.get(linkPath) ?? "";
  if (target.startsWith("/")) return false;
  const resolved = linkPath.split("/").slice(0, -1);
  const pending = target.split("/");
  for (let hops = 0; pending.length > 0;) {
    const part = pending.shift() ?? "";
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (resolved.pop() === undefined) return false;
      continue;
    }
    const next = links.get([...resolved, part].join("/"));
    if (next === undefined) resolved.push(part);
    else if (++hops > maxSymlinkHops || next.startsWith("/")) return false;
    else pending.unshift(...next.split("/"));
  }
  return true;
}

function insidePath(path: string, field: string): string {
  try {
    return normaliseEntryPath(path.replace(/^\/+/, ""));
  } catch {
    throw new InvalidArchiveError(`${field} ${JSON.stringify(path)} must stay inside the artifact`);
  }
}

function relativeTo(path: string, directory: string): string | undefined {
  if (directory === "") return path;
  if (path === directory) return "";
  return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : undefined;
}

/** "a/b/c" → ["a", "a/b"] */
export function ancestors(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}
