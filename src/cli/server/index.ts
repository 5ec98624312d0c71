import { Option, type Command } from "commander";
import { redact } from "../../git/exec.ts";
import { collectRepeated } from "../shared/flags.ts";
import { parseLocalUser, type LocalUser } from "../../ci/api/index.ts";
import { parseRegistryMirror } from "../../oci/mirrors.ts";
import { resolveClusterAccess } from "../../kube/kubeconfig.ts";
import type { RegistryLimit } from "../../oci/registry-limiter.ts";
import { createLogger } from "../../runtime/logger.ts";
import { knownControllers, startServer, type ControllerName } from "../../server/server.ts";
import type { CiOptions } from "../../server/ci-engine.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { addFluxV1Flags, fluxV1Options, type FluxV1Flags } from "./flux-v1-flags.ts";
import { addTaskPodsFlags, taskPodsOptions, type TaskPodsFlags } from "./task-pods-flags.ts";

function hostPort(flag: string) {
  return (value: string): { host: string; port: number } => {
    const m = /^(.*):(\d+)$/.exec(value);
    if (!m)
      throw new SluiceError(`${flag} must be HOST:PORT (or :PORT), got "${value}"`, {
        exitCode: ExitCode.usage,
      });
    return { host: m[1] || "0.0.0.0", port: Number(m[2]) };
  };
}

function controllerList(value: string): ControllerName[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(knownControllers as readonly string[]).includes(n));
  if (unknown.length) {
    throw new SluiceError(`unknown controller(s): ${unknown.join(", ")}`, {
      hint: `known: ${knownControllers.join(", ")}`,
      exitCode: ExitCode.usage,
    });
  }
  return names as ControllerName[];
}

interface ServerFlags extends FluxV1Flags, TaskPodsFlags {
  controllers: ControllerName[];
  concurrent: number;
  kubeconfig?: string;
  context?: string;
  storagePath: string;
  storageAddr: { host: string; port: number };
  storageAdvAddr?: string;
  healthAddr: { host: string; port: number };
  leaderElect: boolean;
  leaderElectionNamespace: string;
  allowFileUrls: boolean;
  watchNamespace?: string;
  crossNamespaceRefs: boolean;
  kustomize?: string;
  strictSubstitutions: boolean;
  ciSkip: boolean;
  receiverAddr: { host: string; port: number };
  registryRps?: number;
  registryBurst?: number;
  registryConcurrency?: number;
  logLevel: string;
  ci: boolean;
  ciSecretsNamespacePrefix: string;
  postgresUrl?: string;
  mainTeamLocalUser?: string[];
  httpAddr: { host: string; port: number };
  addLocalUser: string[];
  registryMirror: string[];
  externalUrl?: string;
}

function registryLimit(flags: ServerFlags): Partial<RegistryLimit> | undefined {
  const limit: Partial<RegistryLimit> = {};
  if (flags.registryRps !== undefined) limit.requestsPerSecond = flags.registryRps;
  if (flags.registryBurst !== undefined) limit.burst = flags.registryBurst;
  if (flags.registryConcurrency !== undefined) limit.maxConcurrency = flags.registryConcurrency;
  return Object.keys(limit).length ? limit : undefined;
}

function validMirror(text: string): string {
  try {
    parseRegistryMirror(text);
    return text;
  } catch (error) {
    throw new SluiceError(`--registry-mirror: ${(error as Error).message}`, { exitCode: ExitCode.usage });
  }
}

function localUsers(flags: string[]): LocalUser[] {
  try {
    return flags.map(parseLocalUser);
  } catch (error) {
    throw new SluiceError((error as Error).message, { exitCode: ExitCode.usage });
  }
}

/** The CI engine's and its API's flags. */
function ciApiOptions(command: Command): Command {
  return addTaskPodsFlags(command)
    .option("--no-ci", "do not run the CI engine (pipelines, checks, builds)")
    .option(
      "--registry-mirror <host=mirror>",
      "read images of HOST from MIRROR (host[:port][/prefix]), e.g. docker.io=127.0.0.1:5000/mirror/docker.io (repeatable)",
      (value: string, all: string[]) => [...all, validMirror(value)],
      [] as string[],
    )
    .option("--ci-secrets-namespace-prefix <prefix>", "((vars)) from Secrets in <prefix><team>", "concourse-")
    .addOption(
      new Option(
        "--postgres-url <url>",
        "keep pipelines, builds and logs in PostgreSQL (postgres://user:password@host:port/db), so replicas share them (default: SQLite under --storage-path; $SLUICE_POSTGRES_URL keeps the password off the command line)",
      )
        .env("SLUICE_POSTGRES_URL")
        .argParser(postgresUrl),
    )
    .option(
      "--external-url <url>",
      "the URL the CI API is reached at (ATC_EXTERNAL_URL; default: --http-addr)",
    )
    .addOption(
      new Option("--http-addr <host:port>", "the CI API (/api/v1) address")
        .default(hostPort("--http-addr")(":8080"), ":8080")
        .argParser(hostPort("--http-addr")),
    )
    .addOption(
      new Option(
        "--add-local-user <name:password>",
        "a local user of team main (repeatable; $SLUICE_ADD_LOCAL_USER keeps one off the command line)",
      )
        .env("SLUICE_ADD_LOCAL_USER")
        .default([])
        .argParser((value: string, all: string[]) => [...all, value]),
    )
    .option(
      "--main-team-local-user <name>",
      "a local user who is a member of team main, an admin (repeatable; default: every local user); the others belong to the teams set-team gives them",
      collectRepeated,
    );
}

function mainTeamLocalUsers(flags: ServerFlags): string[] | undefined {
  const names = flags.mainTeamLocalUser;
  const known = new Set(localUsers(flags.addLocalUser).map((u) => u.name));
  const unknown = names?.find((name) => !known.has(name));
  if (unknown !== undefined)
    throw new SluiceError(`--main-team-local-user ${unknown}: no --add-local-user of that name`, {
      exitCode: ExitCode.usage,
    });
  return names;
}

function ciOptions(flags: ServerFlags): CiOptions | undefined {
  if (!flags.ci) return undefined;
  return {
    secretsNamespacePrefix: flags.ciSecretsNamespacePrefix,
    listen: flags.httpAddr,
    localUsers: localUsers(flags.addLocalUser),
    mainTeamLocalUsers: mainTeamLocalUsers(flags),
    registryMirrors: flags.registryMirror,
    externalUrl: flags.externalUrl,
    postgresUrl: flags.postgresUrl,
    taskPods: taskPodsOptions(flags),
  };
}

function postgresUrl(value: string): string {
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme !== "postgres" && scheme !== "postgresql")
    throw new SluiceError(
      `--postgres-url: expected postgres://user:password@host:port/database, got ${redact(value)}`,
      {
        exitCode: ExitCode.usage,
      },
    );
  return value;
}

export function registerServerCommand(program: Command): void {
  const command = program.command("server");
  addFluxV1Flags(command)
    .description("run the controllers, the artifact server and /metrics, /healthz, /readyz against a cluster")
    .addOption(
      new Option("--controllers <list>", "comma-separated controllers to run")
        .default([...knownControllers], knownControllers.join(","))
        .argParser(controllerList),
    )
    .addOption(
      new Option("--concurrent <n>", "reconciles at once per controller").default(4).argParser(Number),
    )
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--storage-path <dir>", "artifacts and git mirrors", ".sluice/storage")
    .addOption(
      new Option("--storage-addr <host:port>", "artifact server address")
        .default(hostPort("--storage-addr")("127.0.0.1:9090"), "127.0.0.1:9090")
        .argParser(hostPort("--storage-addr")),
    )
    .option("--storage-adv-addr <host:port>", "address put in artifact URLs (default: --storage-addr)")
    .addOption(
      new Option("--health-addr <host:port>", "metrics and probes address")
        .default(hostPort("--health-addr")("127.0.0.1:9440"), "127.0.0.1:9440")
        .argParser(hostPort("--health-addr")),
    )
    .option("--leader-elect", "run controllers only while holding a Lease", false)
    .option("--leader-election-namespace <ns>", "namespace of the Lease", "flux-system")
    .option("--watch-namespace <ns>", "reconcile objects of this namespace only (default: all namespaces)")
    .option("--no-cross-namespace-refs", "refuse Kustomization sourceRef/dependsOn into other namespaces")
    .option("--kustomize <path>", "kustomize binary (default: the pinned build)")
    .option("--registry-rps <n>", "requests per second allowed per registry host", Number)
    .option("--registry-burst <n>", "request burst allowed per registry host", Number)
    .option("--registry-concurrency <n>", "requests in flight allowed per registry host", Number)
    .addOption(
      new Option("--receiver-addr <host:port>", "webhook receivers address")
        .default(hostPort("--receiver-addr")(":9292"), ":9292")
        .argParser(hostPort("--receiver-addr")),
    )
    .option("--no-ci-skip", "do not end image automation's default commit message with [ci skip]")
    .option("--strict-substitutions", "fail on postBuild variables that have no value and no default", false)
    .option("--allow-file-urls", "let GitRepositories read file:// URLs on this machine", false)
    .option("--log-level <level>", "debug, info, warn, error", "info");
  ciApiOptions(command).action(async (flags: ServerFlags) => {
    const logger = createLogger({ level: flags.logLevel as "info", base: { component: "sluice-server" } });
    const stop = new AbortController();
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
    const server = await startServer(
      {
        access: await resolveClusterAccess(flags.kubeconfig, flags.context),
        logger,
        controllers: flags.controllers,
        concurrency: flags.concurrent,
        namespace: flags.watchNamespace,
        storagePath: flags.storagePath,
        artifacts: { listen: flags.storageAddr, advertisedAddress: flags.storageAdvAddr },
        health: flags.healthAddr,
        leaderElection: flags.leaderElect
          ? { namespace: flags.leaderElectionNamespace, name: "sluice-server" }
          : undefined,
        gitRepository: { allowFileUrls: flags.allowFileUrls },
        kustomization: {
          noCrossNamespaceRefs: !flags.crossNamespaceRefs,
          kustomizeBinary: flags.kustomize,
          strictSubstitution: flags.strictSubstitutions,
        },
        image: { registryLimit: registryLimit(flags), ciSkip: flags.ciSkip },
        receivers: { listen: flags.receiverAddr },
        fluxV1: fluxV1Options(flags),
        ci: ciOptions(flags),
      },
      stop.signal,
    );
    await server.done;
  });
}
