import type { KubeObject } from "../../kube/objects.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { KustomizationReason as Reason } from "./reasons.ts";
import { isReady } from "../../runtime/conditions.ts";

interface Dependency {
  name: string;
  namespace?: string | undefined;
}
type Ks = KubeObject & {
  spec?: { dependsOn?: Dependency[]; sourceRef?: { kind: string; name: string; namespace?: string } };
  status?: {
    lastAppliedRevision?: string;
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
  };
};
type Lookup = (namespace: string, name: string) => KubeObject | undefined;
type SourceRevision = (ks: KubeObject) => string | undefined;

const key = (d: Dependency, ns: string) => `${d.namespace ?? ns}/${d.name}`;

/** The dependency chain from `start` back to itself, if its dependsOn graph has a cycle through it. */
export function findCycle(start: KubeObject, lookup: Lookup): string[] | undefined {
  const startKey = `${start.metadata.namespace}/${start.metadata.name}`;
  const visit = (obj: Ks, path: string[], seen: Set<string>): string[] | undefined => {
    for (const dep of obj.spec?.dependsOn ?? []) {
      const k = key(dep, obj.metadata.namespace ?? "");
      if (k === startKey) return [...path, k];
      if (seen.has(k)) continue;
      seen.add(k);
      const [ns, name] = k.split("/") as [string, string];
      const next = lookup(ns, name) as Ks | undefined;
      const found = next && visit(next, [...path, k], seen);
      if (found) return found;
    }
    return undefined;
  };
  return visit(start, [startKey], new Set());
}

/**
 * Every dependency must be Ready at its latest generation and have applied its source's current
 * revision; otherwise a retryable DependencyNotReady names the first one that is not.
 */
export function checkDependencies(obj: KubeObject, lookup: Lookup, sourceRevision: SourceRevision): void {
  const cycle = findCycle(obj, lookup);
  if (cycle) {
    throw new ReconcileError(
      Reason.DependencyNotReady,
      `dependency cycle: ${cycle.join(" -> ")}; remove one dependsOn entry`,
      { stalled: true },
    );
  }
  for (const dep of (obj as Ks).spec?.dependsOn ?? []) {
    const k = key(dep, obj.metadata.namespace ?? "");
    const [ns, name] = k.split("/") as [string, string];
    const d = lookup(ns, name) as Ks | undefined;
    if (!d) throw new ReconcileError(Reason.DependencyNotReady, `dependency '${k}' not found`);
    const ready = isReady(d.status?.conditions);
    if (!ready || d.status?.observedGeneration !== d.metadata.generation) {
      throw new ReconcileError(Reason.DependencyNotReady, `dependency '${k}' is not ready`);
    }
    const latest = sourceRevision(d);
    if (latest !== undefined && d.status?.lastAppliedRevision !== latest) {
      throw new ReconcileError(
        Reason.DependencyNotReady,
        `dependency '${k}' is not ready: revision ${latest} not applied yet`,
      );
    }
  }
}
