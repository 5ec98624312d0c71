/**
 * The CI engine in `sluice server`: a SQLite CI store under `<storage path>/ci/`, the checker and
 * scheduler loops run while leading, `((vars))` from Kubernetes Secrets in `<prefix><team>`.
 * The engine's code is imported only when CI is enabled.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { CiStore } from "../ci/store/index.ts";
import type { CiEngine } from "../ci/engine/engine.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Manager } from "../runtime/manager.ts";
import { untilAborted } from "../runtime/runnable.ts";
import type { LocalUser } from "../ci/api/index.ts";
import type { HttpServer } from "../http/server.ts";
import { RegistryMirrors } from "../oci/mirrors.ts";
import type { ListenAddress } from "./controllers.ts";

export interface CiOptions {
  /** Namespace prefix of the credential manager (default `concourse-`). */
  secretsNamespacePrefix?: string | undefined;
  /** Between the checker's and the scheduler's passes (default 10 s). */
  tick?: number | undefined;
  /** Serves the CI API (/api/v1) here; absent: no API. */
  listen?: ListenAddress | undefined;
  localUsers?: readonly LocalUser[] | undefined;
  /** `HOST=MIRROR` pairs (`--registry-mirror`): images of HOST are read from MIRROR. */
  registryMirrors?: readonly string[] | undefined;
  /** The URL people and resource scripts reach the CI API at (default: its listen address). */
  externalUrl?: string | undefined;
}

export interface RunningCi {
  store: CiStore;
  engine: CiEngine;
  /** The CI API's server, when `listen` was given. */
  http?: HttpServer | undefined;
}

/**
 * What builds run with on this server: the image builder (a BuildKit child, stopped with the
 * server), the built-in resources, and the task step's sandbox with its image cache.
 */
async function localWorker(
  manager: Manager,
  dataDir: string,
  ci: Omit<CiOptions, "externalUrl"> & { externalUrl: () => string },
  logger: Logger,
) {
  const [
    { containerResourceTypes },
    { builtinResources },
    { createImageBuilder },
    { builderRootfsUnpacker },
    { taskStepRunner },
    { ImageRootfsCache },
    { Sandbox },
  ] = await Promise.all([
    import("../ci/resources/custom/container-resource.ts"),
    import("../ci/resources/builtin.ts"),
    import("../ci/builder/index.ts"),
    import("../ci/builder/rootfs-unpacker.ts"),
    import("../ci/steps/task.ts"),
    import("../ci/sandbox/rootfs/image-cache.ts"),
    import("../ci/sandbox/container/sandbox.ts"),
  ]);
  const mirrors = RegistryMirrors.parse(ci.registryMirrors ?? []);
  const builderLog = logger.child({ component: "image-builder" });
  const builder = createImageBuilder({
    stateDir: path.join(dataDir, "builder"),
    mirrors,
    log: (line) => builderLog.debug(line),
  });
  manager.add({
    name: "image-builder",
    start: (signal) => Promise.resolve({ done: untilAborted(signal).then(() => builder.close()) }),
  });
  const resources = builtinResources({
    mirrors,
    builder,
    unpacker: builderRootfsUnpacker(builder),
    gitCacheDir: path.join(dataDir, "git-mirrors"),
  });
  const workerDir = path.join(dataDir, "worker");
  // Writable layers of containers a crash interrupted are never in use again.
  await rm(path.join(workerDir, "containers"), { recursive: true, force: true });
  const images = new ImageRootfsCache({ dir: path.join(dataDir, "images"), builder, mirrors });
  const sandbox = await Sandbox.open({ workDir: workerDir });
  if (sandbox.limitsUnavailable)
    logger.info({ reason: sandbox.limitsUnavailable }, "containers run without cgroup limits");
  const task = taskStepRunner({ images, builder, sandbox, workDir: workerDir });
  const customTypes = containerResourceTypes({ images, sandbox, externalUrl: ci.externalUrl });
  return { resources, customTypes, task };
}

export async function setupCiEngine(
  manager: Manager,
  client: KubeClient,
  options: { storagePath: string; logger: Logger; ci: CiOptions },
): Promise<RunningCi> {
  const [{ SqliteCiStore }, { CiEngine }, { kubernetesPipelineVars }, { BuildRunner }] = await Promise.all([
    import("../ci/store/index.ts"),
    import("../ci/engine/engine.ts"),
    import("../ci/engine/pipeline-vars.ts"),
    import("../ci/engine/builds/runner.ts"),
  ]);
  const { ci } = options;
  const dataDir = path.join(options.storagePath, "ci");
  const store = await SqliteCiStore.open({ dataDir });
  const vars = kubernetesPipelineVars(client, { namespacePrefix: ci.secretsNamespacePrefix ?? "concourse-" });
  const api: { http?: HttpServer } = {};
  const externalUrl = () => ci.externalUrl ?? (api.http?.address ? api.http.url : "");
  const worker = await localWorker(manager, dataDir, { ...ci, externalUrl }, options.logger);
  const { resources, customTypes } = worker;
  const engine = new CiEngine({
    store,
    launcher: new BuildRunner({ store, dataDir, resources, customTypes, vars, task: worker.task }),
    resources,
    customTypes,
    vars,
    logger: options.logger.child({ component: "ci-engine" }),
    ...(ci.tick !== undefined && { checkTick: ci.tick, scheduleTick: ci.tick }),
  });
  manager.add(engine, { leaderOnly: true });
  if (!ci.listen) return { store, engine };
  const [{ ciHttpServer }, { sluiceVersion }] = await Promise.all([
    import("./ci-http.ts"),
    import("../install/version.ts"),
  ]);
  const http = await ciHttpServer(
    { store, engine },
    {
      listen: ci.listen,
      storagePath: options.storagePath,
      localUsers: ci.localUsers ?? [],
      version: await sluiceVersion(),
      kube: client,
      logger: options.logger,
    },
  );
  api.http = http;
  manager.add(http);
  return { store, engine, http };
}
