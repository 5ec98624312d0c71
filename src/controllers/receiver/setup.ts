import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import { objectKey, type Informer } from "../../runtime/informer.ts";
import type { Manager } from "../../runtime/manager.ts";
import { ReceiverReconciler } from "./reconciler.ts";
import type { ReceiverRegistry } from "./registry.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

type Receiver = KubeObject & { spec?: { secretRef?: { name: string } } };
const bySecret = "secretRef";

/** Registers the Receiver controller; a token Secret that appears or changes re-derives the path. */
export function setupReceiverController(
  manager: Manager,
  options: { registry: ReceiverRegistry; concurrency: number; namespace?: string | undefined },
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const reconciler = new ReceiverReconciler(options.registry);
  const controller: Controller<KubeObject> = manager.controller({
    ...scope,
    name: "receiver",
    apiVersion: fluxApiVersions.Receiver,
    kind: "Receiver",
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
  const informer = controller.informer as unknown as Informer<Receiver>;
  informer.addIndex(bySecret, (r) =>
    r.spec?.secretRef ? [`${r.metadata.namespace}/${r.spec.secretRef.name}`] : [],
  );
  informer.addHandler({ onDelete: (r) => options.registry.remove(r.metadata.namespace!, r.metadata.name!) });
  return controller;
}
