/** The Weave Flux v1 daemon flags of `sluice server`, with v1's names and defaults. */
import type { Command } from "commander";
import { isDuration } from "../../api/duration.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import type { FluxV1Options } from "../../server/flux-v1/objects.ts";

/** The flags as commander reads them: the options' names where v1's flag says the same. */
export type FluxV1Flags = Omit<
  FluxV1Options,
  "namespace" | "gitUrl" | "gitSecret" | "garbageCollection" | "registryInsecureHosts"
> & {
  gitUrl?: string;
  gitSecret?: string;
  syncGarbageCollection: boolean;
  registryInsecureHost: string;
  fluxV1Namespace: string;
};

export function addFluxV1Flags(command: Command): Command {
  return command
    .option("--git-url <url>", "Flux v1: sync this repository and release images into it")
    .option("--git-branch <branch>", "Flux v1: branch to sync and push releases to", "master")
    .option("--git-path <dir>", "Flux v1: directory of the repository to sync", "")
    .option("--git-ci-skip", "Flux v1: end release commits with [ci skip]", false)
    .option("--git-poll-interval <duration>", "Flux v1: how often the repository is fetched", "5m")
    .option("--sync-interval <duration>", "Flux v1: how often the cluster is synced", "5m")
    .option("--automation-interval <duration>", "Flux v1: how often images are scanned and released", "5m")
    .option("--git-user <name>", "Flux v1: author name of release commits", "Weave Flux")
    .option("--git-email <email>", "Flux v1: author email of release commits", "support@weave.works")
    .option("--git-secret <name>", "Flux v1: Secret with the repository's credentials")
    .option("--sync-garbage-collection", "Flux v1: delete objects that left the repository", false)
    .option("--registry-insecure-host <hosts>", "Flux v1: comma-separated registries spoken to over HTTP", "")
    .option("--flux-v1-namespace <ns>", "Flux v1: namespace of the generated Flux v2 objects", "flux-system");
}

/** The Flux v1 options, or undefined without `--git-url`; a bad interval is a usage error. */
export function fluxV1Options(flags: FluxV1Flags): FluxV1Options | undefined {
  if (!flags.gitUrl) return undefined;
  const intervals = {
    "--git-poll-interval": flags.gitPollInterval,
    "--sync-interval": flags.syncInterval,
    "--automation-interval": flags.automationInterval,
  };
  for (const [flag, value] of Object.entries(intervals)) {
    if (!isDuration(value))
      throw new SluiceError(`${flag} must be a duration such as 5m or 30s, got "${value}"`, {
        exitCode: ExitCode.usage,
      });
  }
  return {
    namespace: flags.fluxV1Namespace,
    gitUrl: flags.gitUrl,
    gitBranch: flags.gitBranch,
    gitPath: flags.gitPath,
    gitCiSkip: flags.gitCiSkip,
    gitPollInterval: flags.gitPollInterval,
    syncInterval: flags.syncInterval,
    automationInterval: flags.automationInterval,
    gitUser: flags.gitUser,
    gitEmail: flags.gitEmail,
    gitSecret: flags.gitSecret,
    garbageCollection: flags.syncGarbageCollection,
    registryInsecureHosts: flags.registryInsecureHost
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean),
  };
}
