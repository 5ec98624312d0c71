import type { KubeObject } from "../../kube/objects.ts";
import type { Controller } from "../../runtime/controller.ts";
import { objectKey, type Informer } from "../../runtime/informer.ts";
import type { Manager } from "../../runtime/manager.ts";
import { KustomizationReconciler } from "./reconciler.ts";
import { sourceApiVersions } from "../../kustomize/source-artifact.ts";
import { fluxApiVersions } from "../../api/kinds.ts";
import { isReady } from "../../runtime/conditions.ts";

type Ks = KubeObject & {
  spec?: {
    sourceRef?: { kind: string; name: string; namespace?: string };
    dependsOn?: { name: string; namespace?: string }[];
  };
  status?: { lastAppliedRevision?: string; conditions?: { type: string; status: string }[] };
};
type Source = KubeObject & { status?: { artifact?: { revision?: string; digest?: string; url?: string } } };
const sameArtifact = (a: Source, b: Source) =>
  ["revision", "digest", "url"].every(
    (k) => a.status?.artifact?.[k as "url"] === b.status?.artifact?.[k as "url"],
  );

export interface KustomizationSetupOptions {
  kustomizeBinary: string;
  concurrency: number;
  namespace?: string | undefined;
  noCrossNamespaceRefs?: boolean;
  strictSubstitution?: boolean;
}

const bySource = "sourceRef";
const byDependency = "dependsOn";
const ready = (o: Ks) => isReady(o.status?.conditions);

/**
 * Registers the Kustomization controller. Besides its own objects it follows its sources (a new
 * artifact reconciles every Kustomization using it at once) and its dependencies (a dependency
 * becoming Ready at a new revision reconciles those waiting for it).
 */
export function setupKustomizationController(
  manager: Manager,
  options: KustomizationSetupOptions,
): Controller<KubeObject> {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const sources = new Map<string, Informer<Source>>(
    Object.entries(sourceApiVersions).map(([kind, apiVersion]) => [
      kind,
      manager.informers.informer<Source>({ apiVersion, kind, ...scope }),
    ]),
  );
  const reconciler = new KustomizationReconciler({
    kustomizeBinary: options.kustomizeBinary,
    noCrossNamespaceRefs: options.noCrossNamespaceRefs ?? false,
    strictSubstitution: options.strictSubstitution ?? false,
    lookup: (ns, name) => controller.informer.get(`${ns}/${name}`),
    lookupSource: (kind, ns, name) => sources.get(kind)?.get(`${ns}/${name}`),
  });
  const controller: Controller<KubeObject> = manager.controller({
    ...scope,
    name: "kustomization",
    apiVersion: fluxApiVersions.Kustomization,
    kind: "Kustomization",
    concurrency: options.concurrency,
    reconcile: reconciler.reconcile,
  });
  const informer = controller.informer as unknown as Informer<Ks>;
  informer.addIndex(bySource, (o) => {
    const ref = o.spec?.sourceRef;
    return ref ? [`${ref.kind}/${ref.namespace ?? o.metadata.namespace}/${ref.name}`] : [];
  });
  informer.addIndex(byDependency, (o) =>
    (o.spec?.dependsOn ?? []).map((d) => `${d.namespace ?? o.metadata.namespace}/${d.name}`),
  );
  const enqueueAll = (objs: Ks[]) => objs.forEach((o) => controller.enqueue(objectKey(o)));

  for (const [kind, source] of sources) {
    source.addHandler({
      onAdd: (s) => enqueueAll(informer.byIndex(bySource, `${kind}/${objectKey(s)}`)),
      onUpdate: (before, after) => {
        if (sameArtifact(before, after)) return;
        enqueueAll(informer.byIndex(bySource, `${kind}/${objectKey(after)}`));
      },
    });
  }
  informer.addHandler({
    // a dependency that appears may complete (or close a cycle of) those waiting for it
    onAdd: (added) => enqueueAll(informer.byIndex(byDependency, objectKey(added))),
    onUpdate: (before, after) => {
      const progressed =
        ready(after) &&
        (!ready(before) || before.status?.lastAppliedRevision !== after.status?.lastAppliedRevision);
      if (progressed) enqueueAll(informer.byIndex(byDependency, objectKey(after)));
    },
  });
  return controller;
}
