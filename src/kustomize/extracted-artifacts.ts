import { cp, mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { reachableDirectories } from "./references.ts";
import {
  createWorkspace,
  isInside,
  resolveBuildPath,
  type Workspace,
  type WorkspaceOptions,
} from "./workspace.ts";

interface Entry {
  workspace: Promise<Workspace>;
  users: number;
  lastUsed: number;
}

/**
 * Artifacts extracted once per digest and shared read-only by every build of that revision: a
 * build copies only the directories its kustomization reaches, instead of extracting the whole
 * artifact again (a repository of a thousand apps made every build write thousands of files).
 */
export class ExtractedArtifacts {
  readonly #entries = new Map<string, Entry>();
  readonly #keep: number;

  constructor(keep = 4) {
    this.#keep = keep;
  }

  /** A private workspace holding the build directory `buildPath` and everything it references. */
  async workspaceFor(
    digest: string,
    artifact: Uint8Array,
    buildPath: string,
    revision: string,
    options: WorkspaceOptions = {},
  ): Promise<{ workspace: Workspace; dir: string }> {
    const entry = this.#acquire(digest, artifact, options);
    try {
      const shared = await entry.workspace;
      const sourceDir = await resolveBuildPath(shared.root, buildPath, revision);
      const dirs = await reachableDirectories(shared.root, sourceDir);
      const base = await realpath(await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), "sluice-build-")));
      const root = path.join(base, "source");
      await mkdir(root);
      for (const dir of topmost(dirs)) {
        await cp(dir, path.join(root, path.relative(shared.root, dir)), {
          recursive: true,
          verbatimSymlinks: true,
        });
      }
      const workspace = { root, dispose: () => rm(base, { recursive: true, force: true, maxRetries: 3 }) };
      return { workspace, dir: path.join(root, path.relative(shared.root, sourceDir)) };
    } finally {
      entry.users--;
      await this.#evict();
    }
  }

  #acquire(digest: string, artifact: Uint8Array, options: WorkspaceOptions): Entry {
    let entry = this.#entries.get(digest);
    if (!entry) {
      entry = { workspace: createWorkspace(artifact, options), users: 0, lastUsed: 0 };
      this.#entries.set(digest, entry);
      entry.workspace.catch(() => this.#entries.delete(digest));
    }
    entry.users++;
    entry.lastUsed = Date.now();
    return entry;
  }

  async #evict(): Promise<void> {
    const idle = [...this.#entries]
      .filter(([, e]) => e.users === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    while (this.#entries.size > this.#keep && idle.length) {
      const [digest, entry] = idle.shift()!;
      this.#entries.delete(digest);
      await (await entry.workspace.catch(() => undefined))?.dispose();
    }
  }
}

/** The directories not inside another one of the list (copying those copies the rest). */
function topmost(dirs: string[]): string[] {
  return dirs.filter((d) => !dirs.some((other) => other !== d && isInside(other, d)));
}
