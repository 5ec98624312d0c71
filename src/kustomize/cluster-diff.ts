/**
 * What applying a Kustomization's build would change in the cluster: each object server-side
 * dry-run applied as the controller would (field manager kustomize-controller, forced) and
 * compared with the live one, and the inventory's objects a prune would delete. Shared by
 * `sluice diff kustomization` and the web UI.
 */
import YAML from "yaml";
import type { Kustomization } from "../api/kustomize/kustomization/index.ts";
import { unifiedDiff } from "../common/line-diff.ts";
import { forceAnnotation, ssaAnnotation } from "../kube/apply.ts";
import type { KubeClient } from "../kube/client.ts";
import { KubeApiError, isNotFound } from "../kube/errors.ts";
import { apiVersionOf, describeId, entryOf, objectId, parseEntry, staleEntries } from "../kube/inventory.ts";
import type { KubeObject } from "../kube/objects.ts";
import { pruneAnnotation } from "../kube/prune.ts";
import { fieldManager, ownerLabels } from "./build-settings.ts";

export interface ClusterChange {
  subject: string;
  action: "created" | "drifted" | "deleted";
  diff?: string;
}

/** A dry-run the API server refused for a reason other than the object being new. */
export class DryRunError extends Error {}

async function getLive(client: KubeClient, apiVersion: string, kindName: string, name: string, ns?: string) {
  try {
    return await client.get(apiVersion, kindName, name, ns || undefined);
  } catch (err) {
    if (isNotFound(err)) return undefined; // also a kind the cluster does not serve yet
    throw err;
  }
}

/** Secret values are never shown: equal ones as ***, changed ones as *** (before|after). */
function maskSecret(obj: KubeObject, other: KubeObject | undefined, side: "before" | "after"): KubeObject {
  if (obj.kind !== "Secret" || obj.apiVersion !== "v1") return obj;
  const mask = (field: "data" | "stringData") => {
    const values = obj[field] as Record<string, string> | undefined;
    const others = other?.[field] as Record<string, string> | undefined;
    if (!values) return {};
    const masked = Object.entries(values).map(([k, v]): [string, string] => [
      k,
      others?.[k] === v ? "***" : `*** (${side})`,
    ]);
    return { [field]: Object.fromEntries(masked) as Record<string, string> };
  };
  return { ...obj, ...mask("data"), ...mask("stringData") };
}

/** The object without what moves on every write, never changes (uid, creation time) or only the cluster sets (status). */
function comparable(obj: KubeObject): string {
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    uid: _u,
    creationTimestamp: _c,
    ...metadata
  } = obj.metadata as Record<string, unknown>;
  const { status: _s, ...rest } = obj;
  return YAML.stringify({ ...rest, metadata }, { sortMapEntries: true, lineWidth: 0 });
}

/** Kinds and namespaces the build itself creates: objects of them cannot be dry-run before. */
function createdByBuild(objects: KubeObject[]) {
  const crdKinds = objects
    .filter((o) => o.kind === "CustomResourceDefinition")
    .map((o) => (o["spec"] as { names?: { kind?: string } }).names?.kind);
  const namespaces = objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
  return (obj: KubeObject) =>
    crdKinds.includes(obj.kind) ||
    (obj.metadata.namespace !== undefined && namespaces.includes(obj.metadata.namespace));
}

const immutable = (err: unknown) =>
  err instanceof KubeApiError && err.status === 422 && /immutable/i.test(err.message);

async function compare(
  client: KubeClient,
  ks: Kustomization,
  obj: KubeObject,
  isNew: (o: KubeObject) => boolean,
): Promise<ClusterChange | undefined> {
  const subject = describeId(objectId(obj));
  const policy = obj.metadata.annotations?.[ssaAnnotation]?.toLowerCase();
  const live = await getLive(client, obj.apiVersion, obj.kind, obj.metadata.name!, obj.metadata.namespace);
  if (policy === "ignore" || (policy === "ifnotpresent" && live)) return undefined;
  let dry: KubeObject;
  try {
    dry = await client.apply(obj, { fieldManager, force: true, dryRun: true });
  } catch (err) {
    if (!live && isNotFound(err) && isNew(obj)) return { subject, action: "created" };
    const forced = ks.spec.force || obj.metadata.annotations?.[forceAnnotation]?.toLowerCase() === "enabled";
    if (live && immutable(err) && forced)
      return {
        subject,
        action: "drifted",
        diff: "(an immutable field changed: the object would be recreated)\n",
      };
    throw new DryRunError(`${subject} dry-run failed: ${(err as Error).message}`, { cause: err });
  }
  if (!live) return { subject, action: "created" };
  const before = comparable(maskSecret(live, dry, "before"));
  const after = comparable(maskSecret(dry, live, "after"));
  const diff = unifiedDiff(before, after, [`${subject} (live)`, `${subject} (after apply)`]);
  return diff ? { subject, action: "drifted", diff } : undefined;
}

/** Objects of the inventory the build no longer has, which a prune would delete. */
async function pruned(
  client: KubeClient,
  ks: Kustomization,
  objects: KubeObject[],
): Promise<ClusterChange[]> {
  if (!ks.spec.prune) return [];
  const owner = ownerLabels(ks);
  const changes: ClusterChange[] = [];
  for (const entry of staleEntries(ks.status.inventory?.entries ?? [], objects.map(entryOf))) {
    const id = parseEntry(entry);
    if (!id) continue;
    const live = await getLive(client, apiVersionOf(id), id.kind, id.name, id.namespace);
    const owned = Object.entries(owner).every(([k, v]) => live?.metadata.labels?.[k] === v);
    if (live && owned && live.metadata.annotations?.[pruneAnnotation]?.toLowerCase() !== "disabled")
      changes.push({ subject: describeId(id), action: "deleted" });
  }
  return changes;
}

/** Every change applying `objects` (the Kustomization's build) would make: none when they match. */
export async function clusterChanges(
  client: KubeClient,
  ks: Kustomization,
  objects: KubeObject[],
): Promise<ClusterChange[]> {
  const isNew = createdByBuild(objects);
  const compared = [];
  for (const obj of objects) compared.push(await compare(client, ks, obj, isNew));
  return [...compared.filter((c) => c !== undefined), ...(await pruned(client, ks, objects))];
}
