import { decodeGitSecret, isIncompleteGitSecret } from "../git/credentials.ts";
import type { GitSecretData } from "../git/transport-auth.ts";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { fetchFailedCondition, GitFailureReason } from "./git-errors.ts";
import { ReconcileError } from "./reconcile-error.ts";
import { referencedSecret } from "./secrets.ts";

/** Reads the git credentials Secret named by a spec's `secretRef`. */
export async function readGitSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  cached?: (namespace: string, name: string) => KubeObject | undefined,
): Promise<GitSecretData> {
  const authFailed = (message: string, stalled: boolean) =>
    new ReconcileError(GitFailureReason.AuthenticationFailed, message, {
      stalled,
      conditionType: fetchFailedCondition,
    });
  const secret = await referencedSecret(
    client,
    namespace,
    name,
    () =>
      authFailed(
        `secret '${namespace}/${name}' not found: create it (sluice create secret git ${name} …) or fix spec.secretRef`,
        false,
      ),
    cached,
  );
  const data = decodeGitSecret(secret.data);
  if (isIncompleteGitSecret(data)) {
    throw authFailed(
      `secret '${namespace}/${name}' must hold both 'username' and 'password' (or 'bearerToken', or 'identity' for SSH)`,
      true,
    );
  }
  return data;
}
