import type { GitSecretData } from "./transport-auth.ts";

const gitSecretKeys = ["username", "password", "bearerToken", "identity", "known_hosts", "ca.crt"] as const;

/** The keys git transports understand, decoded from a Secret's base64 `data`. */
export function decodeGitSecret(data: Readonly<Record<string, string>> | undefined): GitSecretData {
  const decoded: GitSecretData = {};
  for (const key of gitSecretKeys) {
    const value = data?.[key];
    if (value !== undefined) decoded[key] = Buffer.from(value, "base64").toString("utf8");
  }
  return decoded;
}

/** Basic auth needs both halves unless an SSH identity is given instead. */
export function isIncompleteGitSecret(data: GitSecretData): boolean {
  return (data.username === undefined) !== (data.password === undefined) && data.identity === undefined;
}
