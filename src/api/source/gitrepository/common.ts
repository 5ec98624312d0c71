/** Parts of the GitRepository API that every version shares. */
import { z } from "zod";
import { AccessFrom, LocalObjectReference, TimeoutDuration } from "../../meta.ts";

export const GROUP = "source.toolkit.fluxcd.io";
export const KIND = "GitRepository";

export const API_VERSION_V1 = `${GROUP}/v1`;
export const API_VERSION_V1BETA2 = `${GROUP}/v1beta2`;
export const API_VERSION_V1BETA1 = `${GROUP}/v1beta1`;
export const SERVED_API_VERSIONS = [API_VERSION_V1, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

/**
 * HTTP(S), SSH and file URLs. A `file://` URL would let any tenant read the controller's own disk,
 * so the server refuses it unless started with --allow-file-urls (see ADR 0003).
 */
export const GitUrl = z
  .string()
  .regex(
    /^(http|https|ssh|file):\/\/.*$/,
    "must be an http://, https://, ssh:// or file:// URL (scp-like addresses are not supported)",
  )
  .describe("URL of the Git repository: an HTTP/S or SSH address (file:// only where the server allows it).");

export const SecretRef = LocalObjectReference.describe(
  "Secret with credentials for the Git repository: 'username' and 'password' or 'bearerToken' for HTTPS, 'identity' and 'known_hosts' for SSH.",
);

export const Timeout = TimeoutDuration.default("60s").describe(
  "Timeout for Git operations such as cloning; 60s when omitted.",
);

export const Ignore = z
  .string()
  .exactOptional()
  .describe("Exclusion rules in .gitignore format, replacing the default exclusions when set.");

export const Suspend = z
  .boolean()
  .exactOptional()
  .describe("Stops reconciliation of this GitRepository while true.");

export const RecurseSubmodules = z
  .boolean()
  .exactOptional()
  .describe("Initializes every submodule of the cloned repository with its default settings.");

export const GitRepositoryInclude = z
  .object({
    repository: LocalObjectReference.describe("The GitRepository whose artifact contents are included."),
    fromPath: z
      .string()
      .exactOptional()
      .describe("Path to copy contents from; the artifact root when empty."),
    toPath: z
      .string()
      .exactOptional()
      .describe("Path to copy contents to; the included repository's name when empty."),
  })
  .describe("Artifact contents of another GitRepository to include, and where to place them.");
export type GitRepositoryInclude = z.infer<typeof GitRepositoryInclude>;

export const Include = z
  .array(GitRepositoryInclude)
  .exactOptional()
  .describe("GitRepositories whose artifacts are included in the artifact of this one.");

export const GitImplementation = z
  .enum(["go-git", "libgit2"])
  .meta({ deprecated: true })
  .describe(
    "Deprecated and ignored: the Git client library Flux used to choose between ('go-git', 'libgit2').",
  );

export const AccessFromField = AccessFrom.meta({ deprecated: true }).describe(
  "Deprecated and ignored: cross-namespace access list that Flux never implemented.",
);
