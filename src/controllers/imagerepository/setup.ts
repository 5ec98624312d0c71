import type { RegistryLimiter } from "../../oci/registry-limiter.ts";
import type { TagStore } from "../../image/tag-store.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import type { Manager } from "../../runtime/manager.ts";
import { controllerWatchingSecrets } from "../secret-watch.ts";
import { ImageRepositoryReconciler } from "./reconciler.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

export interface ImageRepositorySetupOptions {
  tags: TagStore;
  limiter: RegistryLimiter;
  concurrency: number;
  namespace?: string | undefined;
}

type Repo = KubeObject & { spec?: { secretRef?: { name: string }; certSecretRef?: { name: string } } };

/** Registers the ImageRepository controller; a Secret it uses that appears or changes rescans it. */
export function setupImageRepositoryController(
  manager: Manager,
  options: ImageRepositorySetupOptions,
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const reconciler = new ImageRepositoryReconciler({ tags: options.tags, limiter: options.limiter });
  return controllerWatchingSecrets<Repo>(
    manager,
    {
      ...scope,
      name: "imagerepository",
      apiVersion: fluxApiVersions.ImageRepository,
      kind: "ImageRepository",
      concurrency: options.concurrency,
      reconcile: reconciler.reconcile,
    },
    (o) => [o.spec?.secretRef?.name, o.spec?.certSecretRef?.name],
  );
}
