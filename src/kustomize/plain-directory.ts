import { readFile } from "node:fs/promises";
import path from "node:path";
import type { KubeObject } from "../kube/objects.ts";
import { findKustomizationFile } from "./kustomization-file.ts";
import type { KustomizeSettings } from "./generate.ts";
import { listManifestResources } from "./generate.ts";
import { parseYamlDocuments, yamlData } from "./yaml.ts";

/**
 * Kinds whose objects kustomize's namespace transformer leaves alone (cluster-scoped) and kinds it
 * only sets metadata.namespace on. Anything else — bindings, webhooks, APIServices and custom
 * kinds, which the transformer rewrites in other places or whose scope it decides — goes through
 * kustomize itself.
 */
const clusterScoped = new Set([
  "Namespace",
  "ClusterRole",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
]);
const namespacedPlain = new Set([
  "ConfigMap",
  "Secret",
  "Service",
  "ServiceAccount",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "Pod",
  "PersistentVolumeClaim",
  "Ingress",
  "NetworkPolicy",
  "Role",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "LimitRange",
  "ResourceQuota",
  "Endpoints",
  "EndpointSlice",
]);

function plainObject(doc: unknown): doc is KubeObject {
  const o = doc as KubeObject | null;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.apiVersion === "string" &&
    typeof o.kind === "string" &&
    typeof o.metadata === "object" &&
    o.metadata !== null &&
    typeof o.metadata.name === "string" &&
    (clusterScoped.has(o.kind) || namespacedPlain.has(o.kind))
  );
}

const simpleSettings = (s: KustomizeSettings) =>
  !s.namePrefix && !s.nameSuffix && !s.patches?.length && !s.images?.length && !s.components?.length;

/**
 * What `kustomize build` would output for a directory of plain manifests (no kustomization file
 * anywhere below it) when only `targetNamespace` applies, computed without starting kustomize; or
 * undefined whenever anything falls outside that case, and kustomize must build.
 */
export async function buildPlainDirectory(
  dir: string,
  settings: KustomizeSettings,
): Promise<KubeObject[] | undefined> {
  if (!simpleSettings(settings) || (await findKustomizationFile(dir)) !== undefined) return undefined;
  const objects: KubeObject[] = [];
  const ids = new Set<string>();
  for (const resource of await listManifestResources(dir)) {
    const file = path.join(dir, resource);
    if (path.extname(file) === "") return undefined; // a nested kustomization directory
    const what = `file ${resource}`;
    for (const doc of parseYamlDocuments(await readFile(file, "utf8"), what)) {
      if (doc.errors.length) return undefined;
      const value = yamlData(doc, what);
      if (value === null) continue;
      if (!plainObject(value)) return undefined;
      // kustomize renames a Namespace object to the target namespace: leave that to kustomize
      if (value.kind === "Namespace" && settings.targetNamespace) return undefined;
      const obj = withNamespace(value, settings.targetNamespace);
      const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      if (ids.has(id)) return undefined; // kustomize names the conflict
      ids.add(id);
      objects.push(obj);
    }
  }
  return objects;
}

function withNamespace(obj: KubeObject, namespace: string | undefined): KubeObject {
  if (!namespace || clusterScoped.has(obj.kind)) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}
