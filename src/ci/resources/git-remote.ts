/**
 * What the built-in resources that talk to a git remote (git, semver's git driver) share: their
 * credentials materialised for one operation (never on a command line), the options every remote
 * call takes, and git's failures turned into a ResourceError without a secret in it.
 */
import { GitError, redact, type GitAuth, type GitRunOptions } from "../../git/exec.ts";
import { isSsh, TransportAuthError, withTransportAuth } from "../../git/transport-auth.ts";
import { ResourceError } from "./resource.ts";

/** A remote and the `source:` fields that reach it. */
export interface GitRemoteSource {
  uri: string;
  username?: string | undefined;
  password?: string | undefined;
  privateKey?: string | undefined;
  /** The passphrase of an encrypted `privateKey`. */
  privateKeyPassphrase?: string | undefined;
  /** Pinned SSH host keys for `privateKey` (a known_hosts file's content). */
  knownHosts?: string | undefined;
  skipSslVerification: boolean;
}

/** Runs `fn` with the remote's credentials materialised; a missing SSH key or host keys is InvalidConfig. */
export async function withRemoteAuth<T>(
  remote: GitRemoteSource,
  fn: (auth: GitAuth | undefined) => Promise<T>,
): Promise<T> {
  const secret = {
    ...(remote.username !== undefined && { username: remote.username }),
    // over ssh the Secret's password is the key's passphrase (see transport-auth.ts)
    ...(isSsh(remote.uri)
      ? remote.privateKeyPassphrase && { password: remote.privateKeyPassphrase }
      : remote.password !== undefined && { password: remote.password }),
    ...(remote.privateKey !== undefined && { identity: remote.privateKey }),
    ...(remote.knownHosts !== undefined && { known_hosts: remote.knownHosts }),
  };
  try {
    return await withTransportAuth(remote.uri, secret, fn);
  } catch (err) {
    if (err instanceof TransportAuthError) {
      const missing =
        remote.privateKey === undefined
          ? "an ssh uri needs private_key"
          : "private_key needs known_hosts (the server's host keys, e.g. from ssh-keyscan HOST), as host keys are verified";
      throw new ResourceError("InvalidConfig", `invalid source: ${missing}`);
    }
    throw err;
  }
}

/** The options of a git call that reaches the remote: credentials, TLS verification, cancellation. */
export function remoteCallOptions(
  remote: GitRemoteSource,
  auth: GitAuth | undefined,
  signal: AbortSignal | undefined,
): GitRunOptions & { auth?: GitAuth } {
  return {
    ...(signal && { signal }),
    ...(auth && { auth }),
    ...(remote.skipSslVerification && { config: [["http.sslVerify", "false"] as const] }),
  };
}

/** A push refused because the branch is no longer where we fetched it from. */
export function isPushConflict(err: unknown): boolean {
  return (
    err instanceof GitError &&
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|stale info|\[remote rejected\].*(lock|updat)/i.test(
      err.stderr,
    )
  );
}

/** `err` from `action` ("fetch from", "push to"…) as a ResourceError with a reason, without secrets. */
export function remoteFailure(err: unknown, action: string, remote: GitRemoteSource): unknown {
  if (!(err instanceof GitError)) return err;
  const where = redact(remote.uri);
  const secrets = [remote.password ?? "", remote.privateKey ?? ""];
  if (
    /authentication failed|could not read (username|password)|terminal prompts disabled|\b40[13]\b|permission denied|host key verification failed/i.test(
      err.stderr,
    )
  ) {
    return new ResourceError(
      "AuthenticationFailed",
      `authentication to ${where} failed: check source.username and source.password (or source.private_key)`,
    );
  }
  if (/not found|does not appear to be a git repository|\b404\b/i.test(err.stderr)) {
    return new ResourceError("NotFound", `repository ${where} not found`);
  }
  return new ResourceError("Failed", redact(`${action} ${where} failed: ${err.message}`, secrets), {
    cause: err,
  });
}
