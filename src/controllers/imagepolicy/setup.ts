import type { RegistryLimiter } from "../../oci/registry-limiter.ts";
import type { TagStore } from "../../image/tag-store.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { RegistryClient } from "../../oci/registry-client.ts";
import type { Controller } from "../../runtime/controller.ts";
import { objectKey, type Informer } from "../../runtime/informer.ts";
import type { Manager } from "../../runtime/manager.ts";
import { registryCredentials } from "../registry-credentials.ts";
import type { RegistryClientFactory } from "./digests.ts";
import { ImagePolicyReconciler } from "./reconciler.ts";
import { fluxApiVersions } from "../../api/kinds.ts";
import { isReady } from "../../runtime/conditions.ts";

export interface ImagePolicySetupOptions {
  tags: TagStore;
  limiter: RegistryLimiter;
  concurrency: number;
  namespace?: string | undefined;
}

type Policy = KubeObject & { spec?: { imageRepositoryRef?: { name: string; namespace?: string } } };
type Repo = KubeObject & {
  spec?: { insecure?: boolean; secretRef?: { name: string }; serviceAccountName?: string };
  status?: { lastScanResult?: { revision?: string }; conditions?: { type: string; status: string }[] };
};
const byRepository = "imageRepositoryRef";
const ready = (r: Repo) => isReady(r.status?.conditions);

/** Registers the ImagePolicy controller; a repository whose scan changes re-evaluates its policies at once. */
export function setupImagePolicyController(
  manager: Manager,
  options: ImagePolicySetupOptions,
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const repositories = manager.informers.informer<Repo>({
    apiVersion: fluxApiVersions.ImageRepository,
    kind: "ImageRepository",
    ...scope,
  });
  const registries: RegistryClientFactory = async (repo, registry, ctx) => {
    const r = repo as Repo;
    const credentials = await registryCredentials(ctx.client, r.metadata.namespace!, registry, r.spec ?? {});
    return new RegistryClient({
      host: registry,
      insecure: r.spec?.insecure ?? false,
      gate: options.limiter,
      ...(credentials ? { credentials } : {}),
    });
  };
  const reconciler = new ImagePolicyReconciler({
    tags: options.tags,
    registries,
    lookupRepository: (ns, name) => repositories.get(`${ns}/${name}`),
  });
  const controller: Controller<KubeObject> = manager.controller({
    ...scope,
    name: "imagepolicy",
    apiVersion: fluxApiVersions.ImagePolicy,
    kind: "ImagePolicy",
    concurrency: options.concurrency,
    reconcile: reconciler.reconcile,
  });
  const policies = controller.informer as unknown as Informer<Policy>;
  policies.addIndex(byRepository, (p) => {
    const ref = p.spec?.imageRepositoryRef;
    return ref ? [`${ref.namespace ?? p.metadata.namespace}/${ref.name}`] : [];
  });
  const enqueueFor = (repo: Repo) =>
    policies.byIndex(byRepository, objectKey(repo)).forEach((p) => controller.enqueue(objectKey(p)));
  repositories.addHandler({
    onAdd: enqueueFor,
    onUpdate: (before, after) => {
      if (
        before.status?.lastScanResult?.revision !== after.status?.lastScanResult?.revision ||
        ready(before) !== ready(after)
      )
        enqueueFor(after);
    },
  });
  return controller;
}
