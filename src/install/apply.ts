/** Server-side apply in stages (CRDs first, until Established), and the reverse for uninstall. */
import type { CustomResourceDefinition } from "../api/crd.ts";
import { poll } from "../cli/wait.ts";
import type { KubeClient } from "../kube/client.ts";
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
): Promise<{ object: T; action: ApplyAction }> {
  let before: KubeObject | undefined;
  try {
    before = await client.get(obj.apiVersion, obj.kind, obj.metadata.name ?? "", obj.metadata.namespace);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const object = await client.apply(obj, { fieldManager, force: true });
  const unchanged = before?.metadata.resourceVersion === object.metadata.resourceVersion;
  return { object, action: !before ? "created" : unchanged ? "unchanged" : "configured" };
}

type Conditioned = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

/** Waits until the CRD is Established and discovery serves each of its versions. */
export async function waitForCrd(
  client: KubeClient,
  crd: CustomResourceDefinition,
  timeoutMs: number,
): Promise<void> {
  await poll(
    `CRD ${crd.metadata.name} to be Established`,
    async () => {
      const live = await client.get<Conditioned>(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        crd.metadata.name,
      );
      return (
        live.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") || undefined
      );
    },
    { timeoutMs, intervalMs: 250 },
  );
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    const apiVersion = `${crd.spec.group}/${version.name}`;
    await poll(
      `the API to serve ${crd.spec.names.kind} ${apiVersion}`,
      async () => {
        client.resetDiscovery();
        return client.resourceFor(apiVersion, crd.spec.names.kind).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      },
      { timeoutMs, intervalMs: 250 },
    );
  }
}

export type OnApplied = (obj: KubeObject, action: ApplyAction) => void;

/** Applies CRDs and waits until they are served: what tests need before creating Flux objects. */
export async function installCrds(
  client: KubeClient,
  crds: readonly CustomResourceDefinition[],
  options: { timeoutMs?: number; onApplied?: OnApplied } = {},
): Promise<void> {
  for (const crd of crds) {
    const { action } = await applyObject(client, crd);
    options.onApplied?.(crd, action);
  }
  for (const crd of crds) await waitForCrd(client, crd, options.timeoutMs ?? 60_000);
}

/** Applies everything `sluice install` renders: CRDs (until Established), the Namespace, then the rest. */
export async function applyInstall(
  client: KubeClient,
  objects: InstallObjects,
  options: { timeoutMs: number; onApplied?: OnApplied },
): Promise<void> {
  await installCrds(client, objects.crds, options);
  for (const obj of [objects.namespace, ...objects.components]) {
    const { action } = await applyObject(client, obj);
    options.onApplied?.(obj, action);
  }
}

type DeploymentStatus = KubeObject & {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
};

/** kstatus "Current" for a Deployment: the latest generation rolled out and every replica available. */
export async function waitForDeployment(
  client: KubeClient,
  name: string,
  namespace: string,
  timeoutMs: number,
): Promise<void> {
  await poll(
    `Deployment ${namespace}/${name} to roll out`,
    async () => {
      const d = await client.get<DeploymentStatus>("apps/v1", "Deployment", name, namespace);
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const current =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (s.updatedReplicas ?? 0) === want &&
        (s.availableReplicas ?? 0) === want &&
        (s.replicas ?? 0) === want;
      return current || undefined;
    },
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
