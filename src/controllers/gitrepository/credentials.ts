import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { GitSecretData } from "../../git/transport-auth.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { GitRepositoryCondition, GitRepositoryReason } from "./reasons.ts";

type Secret = KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };

const keys = ["username", "password", "bearerToken", "identity", "known_hosts", "ca.crt"] as const;

/** Reads the Secret named by `spec.secretRef` and keeps the keys git transports understand. */
export async function readGitSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  cached?: (namespace: string, name: string) => KubeObject | undefined,
): Promise<GitSecretData> {
  let secret: Secret;
  try {
    secret =
      (cached?.(namespace, name) as Secret | undefined) ??
      (await client.get<Secret>("v1", "Secret", name, namespace));
  } catch (err) {
    if (isNotFound(err)) {
      throw new ReconcileError(
        GitRepositoryReason.AuthenticationFailed,
        `secret '${namespace}/${name}' not found: create it (sluice create secret git ${name} …) or fix spec.secretRef`,
        { conditionType: GitRepositoryCondition.FetchFailed },
      );
    }
    throw err;
  }
  const data: GitSecretData = {};
  for (const key of keys) {
    const value = secret.data?.[key];
    if (value !== undefined) data[key] = Buffer.from(value, "base64").toString("utf8");
  }
  if ((data.username === undefined) !== (data.password === undefined) && data.identity === undefined) {
    throw new ReconcileError(
      GitRepositoryReason.AuthenticationFailed,
      `secret '${namespace}/${name}' must hold both 'username' and 'password' (or 'bearerToken', or 'identity' for SSH)`,
      { stalled: true, conditionType: GitRepositoryCondition.FetchFailed },
    );
  }
  return data;
}
