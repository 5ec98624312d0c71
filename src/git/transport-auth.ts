import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { withCredentials, type GitAuth } from "./exec.ts";
import { shellQuote } from "../common/shell-quote.ts";

/** The keys of a git credentials Secret, as Flux documents them. */
export interface GitSecretData {
  username?: string;
  /** Basic auth's password; for ssh URLs, the passphrase of `identity` (as Flux reads it). */
  password?: string;
  bearerToken?: string;
  identity?: string;
  known_hosts?: string;
  "ca.crt"?: string;
}

export class TransportAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportAuthError";
  }
}

export const isSsh = (url: string) => url.startsWith("ssh://") || /^[\w.-]+@[\w.-]+:/.test(url);

function merge(a: GitAuth, b: GitAuth): GitAuth {
  return {
    env: { ...a.env, ...b.env },
    config: [...a.config, ...b.config],
    secrets: [...a.secrets, ...b.secrets],
  };
}

/**
 * Materialises a Secret's credentials for one git operation against `url`: basic auth or a bearer
 * token through exec.ts's askpass, a CA bundle file, or an SSH identity with pinned known_hosts;
 * files live in a private temporary directory that is removed afterwards.
 */
export async function withTransportAuth<T>(
  url: string,
  data: GitSecretData | undefined,
  fn: (auth: GitAuth | undefined) => Promise<T>,
): Promise<T> {
  if (!data || Object.keys(data).length === 0) return fn(undefined);
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-git-transport-"));
  try {
    let auth: GitAuth = { env: {}, config: [], secrets: [] };
    if (data["ca.crt"]) {
      const ca = path.join(dir, "ca.crt");
      await writeFile(ca, data["ca.crt"], { mode: 0o600 });
      auth = merge(auth, { env: {}, config: [["http.sslCAInfo", ca]], secrets: [] });
    }
    if (isSsh(url)) auth = merge(auth, await sshAuth(dir, data));
    if (data.bearerToken)
      return await withCredentials({ bearerToken: data.bearerToken }, (a) => fn(merge(auth, a)));
    if (data.username !== undefined && data.password !== undefined && !isSsh(url)) {
      return await withCredentials({ username: data.username, password: data.password }, (a) =>
        fn(merge(auth, a)),
      );
    }
    return await fn(auth);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function sshAuth(dir: string, data: GitSecretData): Promise<GitAuth> {
  if (!data.identity)
    throw new TransportAuthError(
      "the Secret has no 'identity' key: an SSH private key is required for ssh:// URLs",
    );
  if (!data.known_hosts) {
    throw new TransportAuthError(
      "the Secret has no 'known_hosts' key: the server's host key must be pinned (ssh-keyscan HOST)",
    );
  }
  const identity = path.join(dir, "identity");
  const knownHosts = path.join(dir, "known_hosts");
  await writeFile(identity, data.identity.endsWith("\n") ? data.identity : `${data.identity}\n`, {
    mode: 0o600,
  });
  await writeFile(knownHosts, data.known_hosts, { mode: 0o600 });
  const passphrase = data.password ? await passphraseAskpass(dir, data.password) : undefined;
  const command = [
    "ssh",
    "-F",
    "/dev/null",
    "-i",
    shellQuote(identity),
    "-o",
    "IdentitiesOnly=yes",
    ...(passphrase
      ? // ssh asks askpass for the key's passphrase, and for nothing else
        [
          "-o",
          "PasswordAuthentication=no",
          "-o",
          "KbdInteractiveAuthentication=no",
          "-o",
          "NumberOfPasswordPrompts=1",
        ]
      : ["-o", "BatchMode=yes"]),
    "-o",
    `UserKnownHostsFile=${shellQuote(knownHosts)}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=20",
  ].join(" ");
  return {
    env: { GIT_SSH_COMMAND: command, ...passphrase?.env },
    config: [],
    secrets: [data.identity, ...(data.password ? [data.password] : [])],
  };
}

/** An askpass program that answers the key's passphrase from a 0600 file: never on a command line. */
async function passphraseAskpass(dir: string, passphrase: string): Promise<{ env: Record<string, string> }> {
  const file = path.join(dir, "passphrase");
  const script = path.join(dir, "ssh-askpass.sh");
  await writeFile(file, passphrase, { mode: 0o600 });
  await writeFile(script, `#!/bin/sh\nexec cat ${shellQuote(file)}\n`, { mode: 0o700 });
  return { env: { SSH_ASKPASS: script, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" } };
}
