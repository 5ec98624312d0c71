import type { RegistryLimiter } from "../../oci/registry-limiter.ts";
import type { TagStore } from "../../image/tag-store.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import { objectKey, type Informer } from "../../runtime/informer.ts";
import type { Manager } from "../../runtime/manager.ts";
import { ImageRepositoryReconciler } from "./reconciler.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

export interface ImageRepositorySetupOptions {
  tags: TagStore;
  limiter: RegistryLimiter;
  concurrency: number;
  namespace?: string | undefined;
}

type Repo = KubeObject & { spec?: { secretRef?: { name: string }; certSecretRef?: { name: string } } };
const bySecret = "secrets";

/** Registers the ImageRepository controller; a Secret it uses that appears or changes rescans it. */
export function setupImageRepositoryController(
  manager: Manager,
  options: ImageRepositorySetupOptions,
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const reconciler = new ImageRepositoryReconciler({ tags: options.tags, limiter: options.limiter });
  const controller: Controller<KubeObject> = manager.controller({
    ...scope,
    name: "imagerepository",
    apiVersion: fluxApiVersions.ImageRepository,
    kind: "ImageRepository",
    concurrency: options.concurrency,
    reconcile: reconciler.reconcile,
    watches: [
      {
        apiVersion: "v1",
        kind: "Secret",
        ...scope,
        map: (s) => controller.informer.byIndex(bySecret, objectKey(s)).map(objectKey),
      },
    ],
  });
  (controller.informer as unknown as Informer<Repo>).addIndex(bySecret, (o) =>
    [o.spec?.secretRef?.name, o.spec?.certSecretRef?.name]
      .filter((n): n is string => !!n)
      .map((n) => `${o.metadata.namespace}/${n}`),
  );
  return controller;
}
