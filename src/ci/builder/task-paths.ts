/**
 * A task sees its inputs, outputs and caches at paths under its working directory; outside a
 * container each is a directory of its own. This resolves a path as the task names it
 * (`source-code/app/Dockerfile`) to the directory it lives in on the host.
 */
import path from "node:path";

export interface TaskMount {
  /** Where the task sees it, relative to its working directory (`.`, `source-code`, `cache`). */
  path: string;
  /** Where it is on the host. */
  dir: string;
}

export class TaskPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskPathError";
  }
}

const normalise = (relative: string): string => path.posix.normalize(relative).replace(/\/+$/, "") || ".";

/** The host path of `relative`, through the mount that holds it most closely. */
export function resolveTaskPath(mounts: readonly TaskMount[], relative: string): string {
  const wanted = normalise(relative);
  if (path.posix.isAbsolute(wanted) || wanted === ".." || wanted.startsWith("../")) {
    throw new TaskPathError(`${relative} is outside the task's working directory`);
  }
  let best: { mount: TaskMount; at: string } | undefined;
  for (const mount of mounts) {
    const at = normalise(mount.path);
    const inside = at === "." || wanted === at || wanted.startsWith(`${at}/`);
    if (inside && (!best || at.length > best.at.length || best.at === ".")) best = { mount, at };
  }
  if (!best) {
    const known = mounts.map((m) => m.path).join(", ") || "none";
    throw new TaskPathError(
      `${relative} is not in any of the task's inputs or outputs (they are at: ${known})`,
    );
  }
  const rest = best.at === "." ? wanted : wanted.slice(best.at.length + 1);
  return rest === "" || rest === "." ? best.mount.dir : path.join(best.mount.dir, rest);
}
