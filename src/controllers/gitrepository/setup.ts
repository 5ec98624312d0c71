import type { ArtifactStore } from "../../source/artifact-store.ts";
import type { MirrorCache } from "../../git/mirror-cache.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import { objectKey, type Informer } from "../../runtime/informer.ts";
import type { Manager } from "../../runtime/manager.ts";
import { controllerWatchingSecrets } from "../secret-watch.ts";
import { GitRepositoryReconciler } from "./reconciler.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

type Source = KubeObject & {
  spec?: { secretRef?: { name: string }; include?: { repository: { name: string } }[] };
  status?: { artifact?: { digest?: string; revision?: string } };
};

export interface GitRepositorySetupOptions {
  store: ArtifactStore;
  mirrors: MirrorCache;
  allowFileUrls: boolean;
  concurrency: number;
  /** watch only this namespace (default: all) */
  namespace?: string | undefined;
}

const byInclude = "include";

/**
 * Registers the GitRepository controller: its own objects, the Secrets they name (a Secret that
 * appears or changes reconciles them), and the GitRepositories they include (a new artifact of an
 * included repository rebuilds the including one).
 */
export function setupGitRepositoryController(
  manager: Manager,
  options: GitRepositorySetupOptions,
): Controller<KubeObject> {
  const lookup = (namespace: string, name: string) => controller.informer.get(`${namespace}/${name}`);
  const secrets = () => controller.informers.find((i) => i.spec.kind === "Secret");
  const lookupSecret = (namespace: string, name: string) => secrets()?.get(`${namespace}/${name}`);
  const reconciler = new GitRepositoryReconciler({ ...options, lookup, lookupSecret });
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const controller: Controller<KubeObject> = controllerWatchingSecrets<Source>(
    manager,
    {
      ...scope,
      name: "gitrepository",
      apiVersion: fluxApiVersions.GitRepository,
      kind: "GitRepository",
      concurrency: options.concurrency,
      reconcile: reconciler.reconcile,
    },
    (o) => [o.spec?.secretRef?.name],
  );
  const informer = controller.informer as unknown as Informer<Source>;
  informer.addIndex(byInclude, (o) =>
    (o.spec?.include ?? []).map((i) => `${o.metadata.namespace}/${i.repository.name}`),
  );
  informer.addHandler({
    onUpdate(oldObj, newObj) {
      const before = oldObj.status?.artifact;
      const after = newObj.status?.artifact;
      if (before?.digest === after?.digest && before?.revision === after?.revision) return;
      for (const including of informer.byIndex(byInclude, objectKey(newObj)))
        controller.enqueue(objectKey(including));
    },
  });
  return controller;
}
