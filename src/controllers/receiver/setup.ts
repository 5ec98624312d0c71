import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import type { Manager } from "../../runtime/manager.ts";
import { controllerWatchingSecrets } from "../secret-watch.ts";
import { ReceiverReconciler } from "./reconciler.ts";
import type { ReceiverRegistry } from "./registry.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

type Receiver = KubeObject & { spec?: { secretRef?: { name: string } } };

/** Registers the Receiver controller; a token Secret that appears or changes re-derives the path. */
export function setupReceiverController(
  manager: Manager,
  options: { registry: ReceiverRegistry; concurrency: number; namespace?: string | undefined },
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const reconciler = new ReceiverReconciler(options.registry);
  const controller = controllerWatchingSecrets<Receiver>(
    manager,
    {
      ...scope,
      name: "receiver",
      apiVersion: fluxApiVersions.Receiver,
      kind: "Receiver",
      concurrency: options.concurrency,
      reconcile: reconciler.reconcile,
    },
    (r) => [r.spec?.secretRef?.name],
  );
  controller.informer.addHandler({
    onDelete: (r) => options.registry.remove(r.metadata.namespace!, r.metadata.name!),
  });
  return controller;
}
