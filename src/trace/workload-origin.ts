/**
 * Backwards from a running workload: the digest each of its images has in the registry (read with
 * the credentials of the ImageRepository that scans it), and the builds that pushed that digest.
 */
import { registryCredentials } from "../controllers/registry-credentials.ts";
import type { CiStore } from "../ci/store/store.ts";
import type { KubeClient } from "../kube/client.ts";
import { parseImageReference } from "../oci/reference.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import { imageName, listAll, ns, scannedImage } from "./cluster-records.ts";

export interface RunningImage {
  /** As the workload names it: `host/path:tag`. */
  reference: string;
  repository: string;
  tag: string;
  /** Undefined when the registry could not be asked; `problem` says why. */
  digest?: string;
  problem?: string;
  /** The newest build that pushed that digest, when one did. */
  buildId?: number;
}

export async function runningImage(
  store: CiStore,
  kube: KubeClient,
  reference: string,
): Promise<RunningImage> {
  const ref = parseImageReference(reference);
  const repository = `${ref.registry}/${ref.repository}`;
  const tag = ref.tag ?? "latest";
  const found: RunningImage = { reference, repository, tag };
  try {
    found.digest = ref.digest ?? (await digestOf(kube, repository, tag));
  } catch (error) {
    found.problem = `the registry did not say which digest ${reference} is: ${(error as Error).message}`;
    return found;
  }
  const [build] = await store.buildsProducingDigest(found.digest);
  if (build) found.buildId = build.id;
  return found;
}

async function digestOf(kube: KubeClient, repository: string, tag: string): Promise<string> {
  const scanner = (await listAll(kube, "ImageRepository")).find(
    (r) => scannedImage(r) === imageName(repository),
  );
  const ref = parseImageReference(repository);
  const spec = (scanner?.spec ?? {}) as {
    insecure?: boolean;
    secretRef?: { name: string };
    serviceAccountName?: string;
  };
  const credentials = scanner ? await registryCredentials(kube, ns(scanner), ref.registry, spec) : undefined;
  const client = new RegistryClient({
    host: ref.registry,
    insecure: spec.insecure ?? false,
    ...(credentials ? { credentials } : {}),
  });
  try {
    return (await client.headManifest(ref.repository, tag)).digest;
  } finally {
    await client.close();
  }
}
