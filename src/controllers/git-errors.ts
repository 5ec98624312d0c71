import { GitError, redact } from "../git/exec.ts";
import { TransportAuthError } from "../git/transport-auth.ts";
import { ReconcileError } from "./reconcile-error.ts";

/** The reasons (Flux's) every kind that talks to a git remote reports, on a FetchFailed condition. */
export const GitFailureReason = {
  GitOperationFailed: "GitOperationFailed",
  AuthenticationFailed: "AuthenticationFailed",
} as const;
export const fetchFailedCondition = "FetchFailed";

const authFailure =
  /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP (401|403)|Permission denied \(publickey|The requested URL returned error: 40[13]/i;
const hostKeyFailure =
  /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i;
const unreachable =
  /Could not resolve host|Connection refused|Failed to connect|Connection timed out|Network is unreachable|Could not connect/i;
const notFound =
  /repository '.*' not found|does not appear to be a git repository|HTTP 404|returned error: 404|not found/i;

const fetchFailed = (reason: string, message: string, cause: unknown, stalled = false) =>
  new ReconcileError(reason, message, { conditionType: fetchFailedCondition, cause, stalled });

/** Turns a failed git operation into a reason and a message that says what to do, without secrets. */
export function classifyGitError(err: unknown, url: string, secretName: string | undefined): ReconcileError {
  if (err instanceof ReconcileError) return err;
  const where = redact(url);
  const secret = secretName
    ? `the credentials in secret '${secretName}'`
    : "spec.secretRef (no credentials were given)";
  if (err instanceof TransportAuthError)
    return fetchFailed(GitFailureReason.AuthenticationFailed, err.message, err, true);
  if (!(err instanceof GitError)) {
    return fetchFailed(GitFailureReason.GitOperationFailed, `${where}: ${(err as Error).message}`, err);
  }
  const detail = err.stderr.split("\n").filter(Boolean).slice(-2).join("; ");
  if (err.reason === "timeout") {
    return fetchFailed(
      GitFailureReason.GitOperationFailed,
      `git ${err.verb} of ${where} timed out: raise spec.timeout or check the network`,
      err,
    );
  }
  if (hostKeyFailure.test(err.stderr)) {
    return fetchFailed(
      GitFailureReason.AuthenticationFailed,
      `unknown or changed SSH host key for ${where}: put the server's key (ssh-keyscan) in 'known_hosts' of the secret`,
      err,
    );
  }
  if (authFailure.test(err.stderr)) {
    return fetchFailed(
      GitFailureReason.AuthenticationFailed,
      `authentication to ${where} failed: check ${secret}`,
      err,
    );
  }
  if (unreachable.test(err.stderr)) {
    return fetchFailed(GitFailureReason.GitOperationFailed, `cannot reach ${where}: ${detail}`, err);
  }
  if (notFound.test(err.stderr)) {
    return fetchFailed(
      GitFailureReason.GitOperationFailed,
      `repository ${where} not found: check spec.url`,
      err,
    );
  }
  return fetchFailed(
    GitFailureReason.GitOperationFailed,
    `git ${err.verb} of ${where} failed: ${detail || err.message}`,
    err,
  );
}
