import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import type { Manager } from "../../runtime/manager.ts";
import { ImageUpdateAutomationReconciler } from "./reconciler.ts";
import type { AutomationClones } from "./workspace.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

export interface ImageUpdateAutomationSetupOptions {
  clones: AutomationClones;
  concurrency: number;
  namespace?: string | undefined;
  ciSkip?: boolean | undefined;
}

/**
 * Registers the ImageUpdateAutomation controller. It runs at its interval and when its spec
 * changes; the policies and the source are read from the shared caches at run time.
 */
export function setupImageUpdateAutomationController(
  manager: Manager,
  options: ImageUpdateAutomationSetupOptions,
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const sources = manager.informers.informer({
    apiVersion: fluxApiVersions.GitRepository,
    kind: "GitRepository",
    ...scope,
  });
  const policies = manager.informers.informer({
    apiVersion: fluxApiVersions.ImagePolicy,
    kind: "ImagePolicy",
    ...scope,
  });
  const reconciler = new ImageUpdateAutomationReconciler({
    clones: options.clones,
    lookupSource: (ns, name) => sources.get(`${ns}/${name}`),
    listPolicies: () => policies.list(),
    ciSkip: options.ciSkip ?? true,
  });
  const controller: Controller<KubeObject> = manager.controller({
    ...scope,
    name: "imageupdateautomation",
    apiVersion: fluxApiVersions.ImageUpdateAutomation,
    kind: "ImageUpdateAutomation",
    concurrency: options.concurrency,
    reconcile: reconciler.reconcile,
  });
  // a policy selecting a new image starts the automations of its namespace at once
  policies.addHandler({
    onUpdate: (before, after) => {
      const tag = (o: KubeObject) =>
        JSON.stringify((o as { status?: { latestRef?: unknown } }).status?.latestRef ?? null);
      if (tag(before) === tag(after)) return;
      for (const a of controller.informer.list())
        if (a.metadata.namespace === after.metadata.namespace)
          controller.enqueue(`${a.metadata.namespace}/${a.metadata.name}`);
    },
  });
  return controller;
}
