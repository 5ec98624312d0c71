import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { ReconcileError } from "../reconcile-error.ts";
import type { SigningKey } from "./workspace.ts";
import { ImageUpdateAutomationReason } from "./reasons.ts";
import { inheritedEnv, runProcess } from "../../process/run.ts";

const gpgTimeoutMs = 30_000;

/**
 * Imports the OpenPGP key of `git.commit.signingKey.secretRef` (key `git.asc`, as Flux names it)
 * into a private GnuPG home for one run, and removes it afterwards.
 */
export async function withSigningKey<T>(
  client: KubeClient,
  namespace: string,
  secretName: string | undefined,
  fn: (key: SigningKey | undefined) => Promise<T>,
): Promise<T> {
  if (!secretName) return fn(undefined);
  const secret = await client
    .get<KubeObject & { data?: Record<string, string> }>("v1", "Secret", secretName, namespace)
    .catch(() => undefined);
  const armored = secret?.data?.["git.asc"];
  if (!armored)
    throw new ReconcileError(
      ImageUpdateAutomationReason.InvalidSigningKey,
      `secret '${namespace}/${secretName}' with key 'git.asc' (an armored OpenPGP private key) not found`,
      { stalled: true },
    );
  if (secret.data?.["passphrase"]) {
    throw new ReconcileError(
      ImageUpdateAutomationReason.InvalidSigningKey,
      "signing keys protected by a passphrase are not supported yet: use a key without one",
      { stalled: true },
    );
  }
  const home = await mkdtemp(path.join(os.tmpdir(), "sluice-gnupg-"));
  try {
    await chmod(home, 0o700);
    const gpg = { env: inheritedEnv({ GNUPGHOME: home }), timeoutMs: gpgTimeoutMs };
    await runProcess("gpg", ["--batch", "--quiet", "--import"], {
      ...gpg,
      input: Buffer.from(armored, "base64"),
    });
    const { stdout } = await runProcess("gpg", ["--batch", "--with-colons", "--list-secret-keys"], gpg);
    const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(stdout)?.[1];
    if (!fingerprint)
      throw new ReconcileError(
        ImageUpdateAutomationReason.InvalidSigningKey,
        `secret '${namespace}/${secretName}' holds no usable private key`,
        { stalled: true },
      );
    return await fn({ keyId: fingerprint, env: { GNUPGHOME: home } });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
