import type { KubeObject } from "../kube/objects.ts";
import type { Controller } from "../runtime/controller.ts";
import { objectKey, type Informer } from "../runtime/informer.ts";
import type { ManagedControllerOptions, Manager } from "../runtime/manager.ts";

const bySecret = "secretRef";

/**
 * A controller that also watches the Secrets its objects name (`secretNames`, in the object's
 * namespace): a Secret that appears or changes reconciles every object naming it.
 */
export function controllerWatchingSecrets<T extends KubeObject>(
  manager: Manager,
  options: ManagedControllerOptions<KubeObject>,
  secretNames: (obj: T) => readonly (string | undefined)[],
): Controller<KubeObject> {
  const controller: Controller<KubeObject> = manager.controller({
    ...options,
    watches: [
      ...(options.watches ?? []),
      {
        apiVersion: "v1",
        kind: "Secret",
        ...(options.namespace ? { namespace: options.namespace } : {}),
        map: (secret) => controller.informer.byIndex(bySecret, objectKey(secret)).map(objectKey),
      },
    ],
  });
  (controller.informer as unknown as Informer<T>).addIndex(bySecret, (obj) =>
    secretNames(obj)
      .filter((name): name is string => !!name)
      .map((name) => `${obj.metadata.namespace}/${name}`),
  );
  return controller;
}
