import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { Credentials } from "../oci/auth.ts";
import { credentialsFor, DockerConfigError, dockerConfigFromSecret } from "../oci/docker-config.ts";
import { ReconcileError } from "./reconcile-error.ts";
import { referencedSecret, type Secret } from "./secrets.ts";
import { Reason } from "../runtime/conditions.ts";

type ServiceAccount = KubeObject & { imagePullSecrets?: { name: string }[] };

const authFailed = (message: string, stalled = false) =>
  new ReconcileError(Reason.AuthenticationFailed, message, { stalled });

const getSecret = (client: KubeClient, namespace: string, name: string, why: string): Promise<Secret> =>
  referencedSecret(client, namespace, name, () =>
    authFailed(
      `secret '${namespace}/${name}' (${why}) not found: create it with 'kubectl create secret docker-registry'`,
    ),
  );

function fromSecret(secret: Secret, registry: string): Credentials | undefined {
  try {
    return credentialsFor(dockerConfigFromSecret(secret), registry);
  } catch (err) {
    if (err instanceof DockerConfigError)
      throw authFailed(`secret '${secret.metadata.namespace}/${secret.metadata.name}': ${err.message}`, true);
    throw err;
  }
}

/** Registry credentials from spec.secretRef, else from the service account's imagePullSecrets. */
export async function registryCredentials(
  client: KubeClient,
  namespace: string,
  registry: string,
  spec: { secretRef?: { name: string } | undefined; serviceAccountName?: string | undefined },
): Promise<Credentials | undefined> {
  if (spec.secretRef) {
    const found = fromSecret(
      await getSecret(client, namespace, spec.secretRef.name, "spec.secretRef"),
      registry,
    );
    if (!found)
      throw authFailed(
        `secret '${namespace}/${spec.secretRef.name}' has no credentials for registry '${registry}'`,
        true,
      );
    return found;
  }
  if (!spec.serviceAccountName) return undefined;
  let sa: ServiceAccount;
  try {
    sa = await client.get<ServiceAccount>("v1", "ServiceAccount", spec.serviceAccountName, namespace);
  } catch (err) {
    if (isNotFound(err))
      throw authFailed(`service account '${namespace}/${spec.serviceAccountName}' not found`);
    throw err;
  }
  for (const ref of sa.imagePullSecrets ?? []) {
    const found = fromSecret(
      await getSecret(client, namespace, ref.name, `imagePullSecret of ${spec.serviceAccountName}`),
      registry,
    );
    if (found) return found;
  }
  return undefined;
}

/** The CA bundle of spec.certSecretRef (`ca.crt`, or the older `caFile`). */
export async function registryCa(
  client: KubeClient,
  namespace: string,
  ref: { name: string } | undefined,
): Promise<string | undefined> {
  if (!ref) return undefined;
  const secret = await getSecret(client, namespace, ref.name, "spec.certSecretRef");
  const encoded = secret.data?.["ca.crt"] ?? secret.data?.["caFile"];
  if (!encoded) throw authFailed(`secret '${namespace}/${ref.name}' has no 'ca.crt' key`, true);
  return Buffer.from(encoded, "base64").toString("utf8");
}
