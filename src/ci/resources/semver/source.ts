/** The semver resource's `source:` for the git driver, the one built in. */
import { z } from "zod";
import { parseConfig, ResourceError, type ResourceConfig } from "../resource.ts";
import { formatSemanticVersion, parseSemanticVersion, type SemanticVersion } from "./version.ts";

export interface SemverGitSource {
  uri: string;
  branch: string;
  /** Path of the version file in the repository, relative and normalised. */
  file: string;
  username?: string;
  password?: string;
  privateKey?: string;
  /** Pinned SSH host keys for `privateKey` (a known_hosts file's content). */
  knownHosts?: string;
  gitUser?: { name: string; email: string };
  commitMessage: string;
  initialVersion: SemanticVersion;
  skipSslVerification: boolean;
}

const schema = z.object({
  driver: z.string().optional(),
  uri: z.string().min(1),
  branch: z
    .string()
    .min(1)
    .refine((b) => !/[\s:~^?*[\\]|\.\.|^-|^\/|\/$|\.lock$|@\{/.test(b), "is not a valid branch name"),
  file: z
    .string()
    .min(1)
    .refine(
      (f) => !f.startsWith("/") && !f.split("/").includes(".."),
      "must be a path inside the repository",
    ),
  username: z.string().optional(),
  password: z.string().optional(),
  private_key: z.string().optional(),
  known_hosts: z.string().optional(),
  git_user: z.string().optional(),
  commit_message: z.string().optional(),
  initial_version: z.string().optional(),
  skip_ssl_verification: z.boolean().optional(),
});

/** `Name <email>` or a bare address, as Go's mail.ParseAddress reads git_user. */
export function parseGitUser(text: string): { name: string; email: string } | undefined {
  const m = /^\s*(?:"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+))\s*$/.exec(text);
  if (!m) return undefined;
  return { name: (m[1] ?? "").trim(), email: m[2] ?? m[3] ?? "" };
}

export function parseSemverSource(source: ResourceConfig): SemverGitSource {
  const raw = parseConfig(schema, source, "source");
  if (raw.driver !== "git") {
    const driver =
      raw.driver === undefined ? "no driver (semver-resource's default is s3)" : `driver "${raw.driver}"`;
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: ${driver}; the built-in semver resource supports driver: git`,
    );
  }
  const initialText = raw.initial_version ?? "0.0.0";
  const initialVersion = parseSemanticVersion(initialText);
  if (!initialVersion) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: initial_version "${initialText}" is not a semantic version (e.g. 1.0.0)`,
    );
  }
  const gitUser = raw.git_user === undefined ? undefined : parseGitUser(raw.git_user);
  if (raw.git_user !== undefined && !gitUser) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: git_user "${raw.git_user}" must read "Name <email>"`,
    );
  }
  return {
    uri: raw.uri,
    branch: raw.branch,
    file: raw.file
      .split("/")
      .filter((part) => part !== "" && part !== ".")
      .join("/"),
    ...(raw.username !== undefined && { username: raw.username }),
    ...(raw.password !== undefined && { password: raw.password }),
    ...(raw.private_key !== undefined && { privateKey: raw.private_key }),
    ...(raw.known_hosts !== undefined && { knownHosts: raw.known_hosts }),
    ...(gitUser && { gitUser }),
    commitMessage: raw.commit_message || "bump to %version%",
    initialVersion,
    skipSslVerification: raw.skip_ssl_verification ?? false,
  };
}

/** The commit message with `%version%` and `%file%` replaced. */
export function commitMessageFor(source: SemverGitSource, version: SemanticVersion): string {
  return source.commitMessage
    .replaceAll("%version%", formatSemanticVersion(version))
    .replaceAll("%file%", source.file);
}
