/** The git resource's `source:`, as concourse/git-resource reads it. */
import { z } from "zod";
import type { GitRemoteSource } from "../git-remote.ts";
import { parseConfig, ResourceError, type ResourceConfig } from "../resource.ts";

export interface CommitFilter {
  patterns: string[];
  /** Every pattern must match (git's --all-match) rather than any. */
  allMatch: boolean;
}

export interface GitSource extends GitRemoteSource {
  /** Undefined: the remote's HEAD. */
  branch: string | undefined;
  /** Git pathspecs a commit must touch; empty: any. */
  paths: string[];
  ignorePaths: string[];
  tagFilter: string | undefined;
  tagRegex: RegExp | undefined;
  fetchTags: boolean | undefined;
  include: CommitFilter;
  exclude: CommitFilter;
  gitConfig: Array<readonly [name: string, value: string]>;
  disableCiSkip: boolean;
  versionDepth: number;
}

export const branchName = z
  .string()
  .min(1)
  .refine((b) => !/[\s:~^?*[\\]|\.\.|^-|^\/|\/$|\.lock$|@\{/.test(b), "is not a valid branch name");

// git config names: section[.subsection].key; the value never reaches argv either way.
const configName = /^[A-Za-z0-9][A-Za-z0-9-]*(\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*$/;

const filterSchema = z
  .object({
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
    include_all_match: z.boolean().optional(),
    exclude_all_match: z.boolean().optional(),
  })
  .strict();

const schema = z.object({
  uri: z.string().trim().min(1),
  branch: branchName.optional(),
  paths: z.array(z.string().min(1)).optional(),
  ignore_paths: z.array(z.string().min(1)).optional(),
  private_key: z.string().optional(),
  private_key_user: z.string().min(1).optional(),
  private_key_passphrase: z.string().optional(),
  known_hosts: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  skip_ssl_verification: z.boolean().optional(),
  tag_filter: z.string().min(1).optional(),
  tag_regex: z.string().min(1).optional(),
  fetch_tags: z.boolean().optional(),
  commit_filter: filterSchema.optional(),
  git_config: z
    .array(
      z.object({
        name: z.string().regex(configName, "is not a git config name (section.key)"),
        value: z.string(),
      }),
    )
    .optional(),
  disable_ci_skip: z.boolean().optional(),
  version_depth: z.number().int().positive().optional(),
});

export function parseGitSource(source: ResourceConfig): GitSource {
  const raw = parseConfig(schema, source, "source");
  if (raw.tag_filter !== undefined && raw.tag_regex !== undefined) {
    throw new ResourceError("InvalidConfig", "invalid source: give tag_filter or tag_regex, not both");
  }
  return {
    uri: raw.private_key_user === undefined ? raw.uri : withSshUser(raw.uri, raw.private_key_user),
    branch: raw.branch,
    paths: raw.paths ?? [],
    ignorePaths: raw.ignore_paths ?? [],
    username: raw.username,
    password: raw.password,
    privateKey: raw.private_key,
    privateKeyPassphrase: raw.private_key_passphrase,
    knownHosts: raw.known_hosts,
    skipSslVerification: raw.skip_ssl_verification ?? false,
    tagFilter: raw.tag_filter,
    tagRegex: raw.tag_regex === undefined ? undefined : tagRegex(raw.tag_regex),
    fetchTags: raw.fetch_tags,
    include: {
      patterns: raw.commit_filter?.include ?? [],
      allMatch: raw.commit_filter?.include_all_match ?? false,
    },
    exclude: {
      patterns: raw.commit_filter?.exclude ?? [],
      allMatch: raw.commit_filter?.exclude_all_match ?? false,
    },
    gitConfig: (raw.git_config ?? []).map(({ name, value }) => [name, value] as const),
    disableCiSkip: raw.disable_ci_skip ?? false,
    versionDepth: raw.version_depth ?? 1,
  };
}

/** Versions are tags rather than commits. */
export const isTagMode = (source: GitSource): boolean =>
  source.tagFilter !== undefined || source.tagRegex !== undefined;

/** The whole tag must match, as git-resource's `grep -Ex`. */
function tagRegex(text: string): RegExp {
  try {
    return new RegExp(`^(?:${text})$`);
  } catch (err) {
    throw new ResourceError("InvalidConfig", `invalid source: tag_regex: ${(err as Error).message}`);
  }
}

/** `private_key_user` replaces the user of an ssh uri (ssh://user@host/… or user@host:path). */
function withSshUser(uri: string, user: string): string {
  if (!/^[\w.-]+$/.test(user)) {
    throw new ResourceError("InvalidConfig", "invalid source: private_key_user must be a plain user name");
  }
  if (uri.includes("://") && !uri.startsWith("ssh://")) return uri;
  if (uri.startsWith("ssh://")) return uri.replace(/^ssh:\/\/(?:[^@/]*@)?/, `ssh://${user}@`);
  const scp = /^(?:[\w.-]+@)?([\w.-]+:.*)$/.exec(uri);
  return scp ? `${user}@${scp[1]}` : uri;
}
