/** Server-side apply in stages (CRDs first, until Established), and the reverse for uninstall. */
import type { CustomResourceDefinition } from "../api/crd.ts";
import { poll } from "../common/poll.ts";
import type { KubeClient } from "../kube/client.ts";
import { applyStaged } from "../kube/apply.ts";
import { computeHealth } from "../kube/health.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { InstallObjects } from "./manifests.ts";

export const fieldManager = "sluice";

export type ApplyAction = "created" | "configured" | "unchanged";

/** `Kind/namespace/name` as the lines `install` and `uninstall` print. */
export function objectId(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return `${obj.kind}/${namespace ? `${namespace}/` : ""}${name ?? ""}`;
}

/** Server-side apply (forced: the CLI owns what it applies), reporting whether the object was new or changed. */
export async function applyObject<T extends KubeObject>(
  client: KubeClient,
  obj: T,
): Promise<{ action: ApplyAction }> {
  const [change] = await applyStaged(client, [obj], { fieldManager });
  return { action: change?.action === "skipped" || !change ? "unchanged" : change.action };
}

export type OnApplied = (subject: string, action: string) => void;

/** Applies CRDs and waits until they are served: what tests need before creating Flux objects. */
export async function installCrds(
  client: KubeClient,
  crds: readonly CustomResourceDefinition[],
  options: { timeoutMs?: number; onApplied?: OnApplied } = {},
): Promise<void> {
  await applyInstallObjects(client, [...crds], options);
}

async function applyInstallObjects(
  client: KubeClient,
  objects: KubeObject[],
  options: { timeoutMs?: number; onApplied?: OnApplied },
) {
  const changes = await applyStaged(client, objects, {
    fieldManager,
    crdTimeoutMs: options.timeoutMs ?? 60_000,
  });
  for (const c of changes) options.onApplied?.(c.subject, c.action);
}

/** Applies everything `sluice install` renders: CRDs (until Established) and the Namespace first, then the rest. */
export async function applyInstall(
  client: KubeClient,
  objects: InstallObjects,
  options: { timeoutMs: number; onApplied?: OnApplied },
): Promise<void> {
  await applyInstallObjects(client, [...objects.crds, objects.namespace, ...objects.components], options);
}

/** Waits until the Deployment is kstatus-Current: the latest generation rolled out and available. */
export async function waitForDeployment(
  client: KubeClient,
  name: string,
  namespace: string,
  timeoutMs: number,
): Promise<void> {
  await poll(
    `Deployment ${namespace}/${name} to roll out`,
    async () =>
      computeHealth(await client.get("apps/v1", "Deployment", name, namespace)).status === "Current" ||
      undefined,
    { timeoutMs, hint: `inspect it with 'kubectl -n ${namespace} describe deployment ${name}'` },
  );
}

async function deleteIfPresent(client: KubeClient, obj: KubeObject): Promise<boolean> {
  try {
    await client.delete(obj.apiVersion, obj.kind, obj.metadata.name ?? "", obj.metadata.namespace);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Removes the finalizers of every object of `crd`'s kind (in `namespace`, or everywhere): with the
 * server gone nobody would ever remove them, and the objects (or their namespace) would never go.
 */
async function releaseFinalizers(
  client: KubeClient,
  crd: CustomResourceDefinition,
  namespace?: string,
): Promise<void> {
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const apiVersion = `${crd.spec.group}/${version?.name ?? "v1"}`;
  let items: KubeObject[];
  try {
    items = (await client.list(apiVersion, crd.spec.names.kind, namespace ? { namespace } : {})).items;
  } catch (err) {
    if (isNotFound(err)) return; // the CRD is not installed
    throw err;
  }
  for (const obj of items.filter((o) => o.metadata.finalizers?.length)) {
    const ref = {
      apiVersion,
      kind: crd.spec.names.kind,
      name: obj.metadata.name ?? "",
      namespace: obj.metadata.namespace ?? "",
    };
    await client.patch(ref, { metadata: { finalizers: null } }, { type: "merge" }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

export interface UninstallOptions {
  keepCrds: boolean;
  keepNamespace: boolean;
  onDeleted?: (obj: KubeObject) => void;
}

/** Deletes what `applyInstall` created, in reverse: components, then CRDs and the Namespace unless kept. */
export async function uninstall(
  client: KubeClient,
  objects: InstallObjects,
  options: UninstallOptions,
): Promise<void> {
  const report = async (obj: KubeObject) => {
    if (await deleteIfPresent(client, obj)) options.onDeleted?.(obj);
  };
  for (const obj of [...objects.components].reverse()) await report(obj);
  for (const crd of objects.crds) {
    if (!options.keepCrds) await releaseFinalizers(client, crd);
    else if (!options.keepNamespace) await releaseFinalizers(client, crd, objects.namespace.metadata.name);
  }
  if (!options.keepCrds) for (const crd of objects.crds) await report(crd);
  if (!options.keepNamespace) await report(objects.namespace);
}
