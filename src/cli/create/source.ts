/** `sluice create source git`: a GitRepository from flags, exported as YAML or applied and awaited. */
import type { Command } from "commander";
import { Duration, TimeoutDuration } from "../../api/duration.ts";
import { GitUrl } from "../../api/source/gitrepository/common.ts";
import { GitRepositorySpec } from "../../api/source/gitrepository/v1.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { apiField, collectList, objectName, usageError } from "../shared/flags.ts";
import { applyAndAwait, createGroup } from "./shared.ts";
import { commandGroup, gitRepositoryKind as kind } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";

interface GitSourceFlags extends KubeFlags {
  url: string;
  branch?: string;
  tag?: string;
  tagSemver?: string;
  commit?: string;
  refName?: string;
  interval: string;
  fetchTimeout?: string;
  secretRef?: string;
  ignorePaths?: string[];
  recurseSubmodules: boolean;
  export: boolean;
}

function gitUrl(value: string): string {
  if (/^[\w.-]+@[\w.-]+:/.test(value)) {
    const [userHost, path] = value.split(/:(.*)/s);
    throw usageError(
      `--url "${value}" is an scp-like address, which Flux does not accept`,
      `use ssh://${userHost ?? ""}/${path ?? ""}`,
    );
  }
  apiField("--url", value, GitUrl);
  try {
    new URL(value);
  } catch {
    throw usageError(`--url "${value}" is not a valid URL`);
  }
  return value;
}

/** The ref from --branch/--tag/--tag-semver/--commit/--ref-name: exactly one (or --commit with --branch). */
function gitRef(flags: GitSourceFlags): Record<string, string> {
  const given = {
    branch: flags.branch,
    tag: flags.tag,
    semver: flags.tagSemver,
    commit: flags.commit,
    name: flags.refName,
  };
  const set = Object.entries(given).filter((e): e is [string, string] => e[1] !== undefined);
  const names = set
    .map(([k]) => k)
    .sort()
    .join(",");
  if (set.length === 0) {
    throw usageError(
      "a Git ref is required",
      "pass one of --branch, --tag, --tag-semver, --commit or --ref-name",
    );
  }
  if (set.length > 1 && names !== "branch,commit") {
    throw usageError(
      `choose one Git ref, got ${set.map(([k]) => `--${k === "semver" ? "tag-semver" : k === "name" ? "ref-name" : k}`).join(" and ")}`,
      "only --commit may be combined with --branch",
    );
  }
  if (flags.commit !== undefined && !/^[0-9a-f]{7,64}$/.test(flags.commit)) {
    throw usageError(`--commit "${flags.commit}" is not a commit SHA (hexadecimal, at least 7 characters)`);
  }
  return Object.fromEntries(set);
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildGitRepository(name: string, flags: GitSourceFlags): KubeObject {
  objectName("GitRepository name", name);
  const spec: Record<string, unknown> = {
    interval: apiField("--interval", flags.interval, Duration),
    ref: gitRef(flags),
    url: gitUrl(flags.url),
  };
  if (flags.secretRef !== undefined)
    spec["secretRef"] = { name: objectName("--secret-ref", flags.secretRef) };
  if (flags.fetchTimeout !== undefined)
    spec["timeout"] = apiField("--fetch-timeout", flags.fetchTimeout, TimeoutDuration);
  if (flags.ignorePaths?.length) spec["ignore"] = flags.ignorePaths.join("\n");
  if (flags.recurseSubmodules) spec["recurseSubmodules"] = true;
  const checked = GitRepositorySpec.safeParse(spec);
  if (!checked.success)
    throw usageError(`invalid GitRepository: ${checked.error.issues[0]?.message ?? "invalid spec"}`);
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name, namespace: flags.namespace },
    spec,
  };
}

async function createGitSource(name: string, flags: GitSourceFlags): Promise<void> {
  const obj = buildGitRepository(name, flags);
  if (flags.export) {
    process.stdout.write(renderYaml([obj]));
    return;
  }
  if (flags.url.startsWith("http://") && flags.secretRef) {
    say.warning("the credentials of --secret-ref travel unencrypted over http://");
  }
  say.generate("generating GitRepository source");
  await withCluster(flags, async (client) => {
    const noun = "GitRepository source";
    const ready = await applyAndAwait(client, kind, obj, { noun, timeoutMs: flags.timeout });
    say.success("GitRepository source reconciliation completed");
    say.success(`fetched revision: ${ready.status?.artifact?.revision ?? "(none)"}`);
  });
}

export function registerCreateSourceCommands(program: Command): void {
  const source = commandGroup(createGroup(program), "source", "create or update sources");
  addKubeFlags(
    source
      .command("git")
      .description("create or update a GitRepository source and wait until it fetched a revision")
      .argument("<name>", "name of the GitRepository")
      .requiredOption("--url <url>", "Git repository address: http(s)://… or ssh://…")
      .option("--branch <name>", "branch to follow")
      .option("--tag <name>", "tag to check out")
      .option("--tag-semver <range>", "SemVer range: the newest matching tag, e.g. '>=1.0.0 <2.0.0'")
      .option("--commit <sha>", "commit to check out (may be combined with --branch)")
      .option("--ref-name <ref>", "full Git reference, e.g. refs/heads/main or refs/pull/42/head")
      .option("--interval <duration>", "how often to check for new commits", "1m")
      .option(
        "--fetch-timeout <duration>",
        "timeout of Git operations (spec.timeout; the server's default is 60s)",
      )
      .option("--secret-ref <name>", "Secret with the Git credentials (see 'sluice create secret git')")
      .option(
        "--ignore-paths <paths>",
        "paths to leave out of the artifact, in .gitignore format (comma-separated, repeatable)",
        collectList,
      )
      .option("--recurse-submodules", "include the repository's submodules", false)
      .option("--export", "print the GitRepository as YAML instead of applying it", false),
  ).action(createGitSource);
}
