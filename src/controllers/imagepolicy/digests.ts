import type { KubeObject } from "../../kube/objects.ts";
import type { ReconcileContext } from "../../runtime/controller.ts";
import type { RegistryClient } from "../../oci/registry-client.ts";
import { parseScanImage } from "../../image/scanner.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { Reason } from "../../runtime/conditions.ts";

/** Makes a registry client for a repository's registry with its credentials (or none). */
export type RegistryClientFactory = (
  repository: KubeObject,
  registry: string,
  ctx: ReconcileContext,
) => Promise<RegistryClient>;

/** The digest of `image:tag` when the reflection policy asks for it (IfNotPresent and Always). */
export async function resolveDigest(
  registries: RegistryClientFactory,
  repository: KubeObject,
  image: string,
  tag: string,
  policy: string | undefined,
  ctx: ReconcileContext,
): Promise<string | undefined> {
  if (!policy || policy === "Never") return undefined;
  const reference = parseScanImage(image);
  const client = await registries(repository, reference.registry, ctx);
  try {
    return (await client.headManifest(reference.repository, tag, { signal: ctx.signal })).digest;
  } catch (err) {
    throw new ReconcileError(
      Reason.ReconciliationFailed,
      `cannot read the digest of ${image}:${tag}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await client.close();
  }
}
