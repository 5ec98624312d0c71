/**
 * `sluice bootstrap git`: the install manifests and the sync objects committed into the cluster's
 * directory of a repository, as `flux bootstrap` lays them out:
 *
 *     <path>/flux-system/gotk-components.yaml   the install (CRDs, RBAC, the server)
 *     <path>/flux-system/gotk-sync.yaml         GitRepository + Kustomization `flux-system`
 *     <path>/flux-system/kustomization.yaml     both, for kustomize
 *
 * A run whose files equal the repository's commits nothing, so bootstrapping again is a no-op and
 * upgrading is bootstrapping with a newer version.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fluxApiVersions } from "../api/kinds.ts";
import { addAll, commit, push, revParse } from "../git/repository.ts";
import { withTransportAuth, type GitSecretData } from "../git/transport-auth.ts";
import { prepareWorkingCopy } from "../git/working-copy.ts";
import type { KubeObject } from "../kube/objects.ts";

export const bootstrapName = "flux-system";

export interface SyncOptions {
  /** both objects' name (default `flux-system`) */
  name?: string | undefined;
  namespace: string;
  labels?: Record<string, string> | undefined;
  url: string;
  branch: string;
  /** the cluster's directory in the repository, e.g. `clusters/demo` */
  path: string;
  /** how often the repository is fetched */
  interval: string;
  /** how often the Kustomization applies it again (default 10m) */
  syncInterval?: string | undefined;
  /** delete what left the repository (default true) */
  prune?: boolean | undefined;
  /** the Secret with the repository's credentials, when it needs them */
  secretName?: string | undefined;
}

const cleanPath = (p: string) => p.replace(/^\.?\/+|\/+$/g, "");

/** The GitRepository and Kustomization that make the cluster sync itself from `path`. */
export function syncObjects(o: SyncOptions): KubeObject[] {
  const name = o.name ?? bootstrapName;
  const metadata = { name, namespace: o.namespace, ...(o.labels ? { labels: o.labels } : {}) };
  return [
    {
      apiVersion: fluxApiVersions.GitRepository,
      kind: "GitRepository",
      metadata,
      spec: {
        interval: o.interval,
        ref: { branch: o.branch },
        url: o.url,
        ...(o.secretName ? { secretRef: { name: o.secretName } } : {}),
      },
    },
    {
      apiVersion: fluxApiVersions.Kustomization,
      kind: "Kustomization",
      metadata,
      spec: {
        interval: o.syncInterval ?? "10m",
        path: `./${cleanPath(o.path)}`,
        prune: o.prune ?? true,
        sourceRef: { kind: "GitRepository", name },
      },
    },
  ];
}

/** The files to commit, by repository path. */
export function bootstrapFiles(clusterPath: string, components: string, sync: string): Map<string, string> {
  const dir = path.posix.join(cleanPath(clusterPath), bootstrapName);
  const kustomization = [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    "resources:",
    "  - gotk-components.yaml",
    "  - gotk-sync.yaml",
    "",
  ].join("\n");
  return new Map([
    [`${dir}/gotk-components.yaml`, components],
    [`${dir}/gotk-sync.yaml`, sync],
    [`${dir}/kustomization.yaml`, kustomization],
  ]);
}

export interface CommitResult {
  /** the branch's head after the run */
  sha: string;
  /** whether this run made (and pushed) a commit */
  committed: boolean;
}

/** Writes `files` on `branch` and pushes a commit when any differs from what is there. */
export async function commitFiles(
  repo: { url: string; branch: string; credentials?: GitSecretData | undefined },
  files: ReadonlyMap<string, string>,
  message: string,
  author: { name: string; email: string },
): Promise<CommitResult> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-bootstrap-"));
  try {
    return await withTransportAuth(repo.url, repo.credentials, async (auth) => {
      const dir = path.join(tmp, "work");
      await prepareWorkingCopy(repo.url, dir, repo.branch, auth);
      let changed = false;
      for (const [file, content] of files) {
        const full = path.join(dir, file);
        if ((await readFile(full, "utf8").catch(() => undefined)) === content) continue;
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
        changed = true;
      }
      if (!changed) return { sha: await revParse(dir, "HEAD"), committed: false };
      await addAll(dir);
      const sha = await commit(dir, { message, author });
      await push(dir, {
        remote: repo.url,
        refspec: `HEAD:refs/heads/${repo.branch}`,
        ...(auth ? { auth } : {}),
      });
      return { sha, committed: true };
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
