/**
 * A Kustomization's history in git: the commits under its path on its source's branch, which of
 * them the cluster has applied, and the rollback GitOps allows: a revert commit in git, which the
 * source fetches and the Kustomization applies (the cluster is never edited behind git's back).
 */
import { fluxApiVersions, requestedAtAnnotation } from "../api/kinds.ts";
import type { KubeClient } from "../kube/client.ts";
import { commitOf, type FluxRecord } from "./cluster-records.ts";
import {
  RevertRefused,
  type CommitSummary,
  type ConfigHistory,
  type GitSourceRef,
} from "./config-history.ts";

/** applied: what the cluster runs; earlier: applied before it; pending: newer than what was applied. */
export type RevisionState = "applied" | "earlier" | "pending";

export interface KustomizationRevisions {
  /** `GitRepository ns/name`, and the branch it follows when it follows one. */
  source: string;
  branch?: string;
  applied?: string;
  revisions: (CommitSummary & { state: RevisionState })[];
  /** Why nothing can be reverted here, when that is so. */
  cannotRevert?: string;
}

type Source = FluxRecord & {
  spec?: { url?: string; secretRef?: { name: string }; ref?: { branch?: string } };
};
type Ks = FluxRecord & {
  spec?: { path?: string; sourceRef?: { kind?: string; name: string; namespace?: string } };
  status?: { lastAppliedRevision?: string };
};

/** The commits listed, newest first. */
const listed = 30;
const uiIdentity = { name: "Sluice web UI", email: "ui@sluice.invalid" };

export class KustomizationHistory {
  readonly #kube: KubeClient;
  readonly #history: ConfigHistory;

  constructor(kube: KubeClient, history: ConfigHistory) {
    this.#kube = kube;
    this.#history = history;
  }

  async revisions(ks: Ks): Promise<KustomizationRevisions> {
    const { source, where, problem } = await this.#source(ks);
    const applied = commitOf(ks.status?.lastAppliedRevision);
    const branch = source?.spec?.ref?.branch;
    if (!source || !branch) return { source: where, revisions: [], cannotRevert: problem ?? "" };
    const revisions = await this.#history.read(gitSource(source), branch, async (history) => {
      const commits = await history.log(ks.spec?.path ?? ".", listed);
      const states = await Promise.all(
        commits.map(async (c): Promise<RevisionState> => {
          if (c.sha === applied) return "applied";
          return applied && (await history.contains(applied, c.sha)) ? "earlier" : "pending";
        }),
      );
      return commits.map((c, i) => ({ ...c, state: states[i]! }));
    });
    return { source: where, branch, ...(applied ? { applied } : {}), revisions };
  }

  /** Reverts `sha` on the source's branch as `user`, then asks the source to fetch at once. */
  async revert(ks: Ks, sha: string, user: string): Promise<string> {
    const { source, problem } = await this.#source(ks);
    const branch = source?.spec?.ref?.branch;
    if (!source || !branch) throw new RevertRefused(problem ?? "");
    const reverted = await this.#history.revert(gitSource(source), branch, sha, {
      identity: uiIdentity,
      note: `Reverted by ${user} from the Sluice web UI (Kustomization ${ks.metadata.namespace}/${ks.metadata.name}).`,
    });
    await this.#kube.patch(
      {
        apiVersion: fluxApiVersions.GitRepository,
        kind: "GitRepository",
        name: source.metadata.name ?? "",
        namespace: source.metadata.namespace ?? "",
      },
      { metadata: { annotations: { [requestedAtAnnotation]: new Date().toISOString() } } },
      { type: "merge" },
    );
    return reverted;
  }

  async #source(ks: Ks): Promise<{ source?: Source; where: string; problem?: string }> {
    const ref = ks.spec?.sourceRef;
    const namespace = ref?.namespace ?? ks.metadata.namespace ?? "";
    const where = `${ref?.kind ?? "source"} ${namespace}/${ref?.name ?? ""}`;
    if (ref?.kind !== "GitRepository")
      return {
        where,
        problem: `its source is a ${ref?.kind ?? "missing"}: only a GitRepository's commits can be reverted`,
      };
    const source = await this.#kube
      .get<Source>(fluxApiVersions.GitRepository, "GitRepository", ref.name, namespace)
      .catch(() => undefined);
    if (!source) return { where, problem: `${where} is not found` };
    if (!source.spec?.ref?.branch)
      return {
        source,
        where,
        problem: `${where} follows a tag, a semver range or a commit, not a branch: a revert needs a branch to commit to`,
      };
    return { source, where };
  }
}

const gitSource = (source: Source): GitSourceRef => ({
  url: source.spec?.url ?? "",
  namespace: source.metadata.namespace ?? "",
  secretName: source.spec?.secretRef?.name,
});
