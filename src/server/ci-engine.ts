/**
 * The CI engine in `sluice server`: a SQLite CI store under `<storage path>/ci/`, the checker and
 * scheduler loops run while leading, `((vars))` from Kubernetes Secrets in `<prefix><team>`.
 * The engine's code is imported only when CI is enabled.
 */
import path from "node:path";
import type { CiStore } from "../ci/store/index.ts";
import type { CiEngine } from "../ci/engine/engine.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Manager } from "../runtime/manager.ts";
import type { LocalUser } from "../ci/api/index.ts";
import type { ApiDeps, TeamSecrets } from "../ci/api/context.ts";
import type { HttpServer } from "../http/server.ts";
import type { ListenAddress } from "./controllers.ts";
import type { WorkerVolumes } from "../ci/sandbox/volumes/worker-volumes.ts";

export interface CiOptions {
  /** Namespace prefix of the credential manager (default `concourse-`). */
  secretsNamespacePrefix?: string | undefined;
  /** Between the checker's and the scheduler's passes (default 10 s). */
  tick?: number | undefined;
  /** Serves the CI API (/api/v1) here; absent: no API. */
  listen?: ListenAddress | undefined;
  localUsers?: readonly LocalUser[] | undefined;
  /** Who of the local users is in team main (default: all of them). */
  mainTeamLocalUsers?: readonly string[] | undefined;
  /** `HOST=MIRROR` pairs (`--registry-mirror`): images of HOST are read from MIRROR. */
  registryMirrors?: readonly string[] | undefined;
  /** The URL people and resource scripts reach the CI API at (default: its listen address). */
  externalUrl?: string | undefined;
  /** Keeps the CI store in this PostgreSQL database instead of SQLite under the storage path. */
  postgresUrl?: string | undefined;
  /** The Kubernetes worker: tasks tagged `kubernetes` (or all, `byDefault`) run as Pods here. */
  taskPods?: TaskPodsOptions | undefined;
}

export interface TaskPodsOptions {
  namespace: string;
  nodeSelector?: Record<string, string> | undefined;
  /** Has `sh` and `tar` (default busybox:1.36). */
  helperImage?: string | undefined;
  byDefault?: boolean | undefined;
}

export interface RunningCi {
  store: CiStore;
  engine: CiEngine;
  /** The CI API's server, when `listen` was given. */
  http?: HttpServer | undefined;
  /** What the local worker holds on disk. */
  volumes: WorkerVolumes;
}

/** Secrets in `<prefix><team>`, the namespace made when missing; Sluice's field manager owns what it writes. */
function teamSecrets(client: KubeClient, prefix: string): TeamSecrets {
  return {
    async apply(team, name, data) {
      const namespace = `${prefix}${team}`;
      const fieldManager = "sluice-ci";
      await client.apply(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        { fieldManager },
      );
      await client.apply(
        { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData: data },
        { fieldManager, force: true },
      );
    },
  };
}

export async function setupCiEngine(
  manager: Manager,
  client: KubeClient,
  options: { storagePath: string; logger: Logger; ci: CiOptions },
): Promise<RunningCi> {
  const [
    { openCiStore },
    { CiEngine },
    { kubernetesPipelineVars },
    { BuildRunner },
    { startLocalWorker, volumeCollector },
    { WorkerVolumes },
    { ProjectRuns },
    { Executions },
    { KubernetesVarSource },
  ] = await Promise.all([
    import("./ci-http.ts"),
    import("../ci/engine/engine.ts"),
    import("../ci/engine/pipeline-vars.ts"),
    import("../ci/engine/builds/runner.ts"),
    import("./ci-worker.ts"),
    import("../ci/sandbox/volumes/worker-volumes.ts"),
    import("../ci/engine/projects/project-runs.ts"),
    import("../ci/executions/executions.ts"),
    import("../ci/vars/kubernetes.ts"),
  ]);
  const { ci } = options;
  const dataDir = path.join(options.storagePath, "ci");
  const store = await openCiStore(options.storagePath, ci.postgresUrl);
  const namespacePrefix = ci.secretsNamespacePrefix ?? "concourse-";
  const vars = kubernetesPipelineVars(client, { namespacePrefix });
  const api: { http?: HttpServer } = {};
  const externalUrl = () => ci.externalUrl ?? (api.http?.address ? api.http.url : "");
  const worker = await startLocalWorker(manager, client, dataDir, { ...ci, externalUrl }, options.logger);
  const { resources, customTypes } = worker;
  const runner = new BuildRunner({ store, dataDir, resources, customTypes, vars, task: worker.task });
  const volumes = new WorkerVolumes({ ...worker.volumes, store, builds: () => runner.runningBuilds() });
  manager.add(volumeCollector(volumes, options.logger.child({ component: "ci-worker" })));
  const projects = new ProjectRuns({
    ...{ store, task: worker.task, builder: worker.builder, resources, vars, dataDir },
    openBuild: (build, identity) => runner.openBuild(build, identity),
    logger: options.logger.child({ component: "ci-projects" }),
    ...(ci.tick !== undefined && { tick: ci.tick }),
  });
  manager.add(projects, { leaderOnly: true });
  const executions = new Executions({
    ...{ store, task: worker.task, resources, customTypes, vars, dataDir },
    openBuild: (build, identity) => runner.openBuild(build, identity),
    teamVars: (team) => new KubernetesVarSource(client, { namespacePrefix, team }),
  });
  const engine = new CiEngine({
    store,
    launcher: runner,
    resources,
    customTypes,
    vars,
    onNewVersions: () => projects.poke(),
    logger: options.logger.child({ component: "ci-engine" }),
    ...(ci.tick !== undefined && { checkTick: ci.tick, scheduleTick: ci.tick }),
  });
  manager.add(engine, { leaderOnly: true });
  if (!ci.listen) return { store, engine, volumes };
  const parts = { store, engine, vars, volumes, containers: worker.volumes.sandbox, projects, executions };
  api.http = await serveCiApi(manager, client, { ...options, listen: ci.listen }, parts);
  return { store, engine, http: api.http, volumes };
}

/** The CI API's server on `listen`, its engine control reaching the leader from any replica. */
async function serveCiApi(
  manager: Manager,
  client: KubeClient,
  options: { storagePath: string; logger: Logger; ci: CiOptions; listen: ListenAddress },
  parts: Omit<ApiDeps, "auth" | "secrets" | "engine"> & { engine: CiEngine },
): Promise<HttpServer> {
  const [{ ciHttpServer }, { sluiceVersion }, { replicatedControl }] = await Promise.all([
    import("./ci-http.ts"),
    import("../install/version.ts"),
    import("../ci/engine/replicated-control.ts"),
  ]);
  const { ci } = options;
  const http = await ciHttpServer(
    {
      ...parts,
      engine: replicatedControl(parts.engine, parts.store),
      secrets: teamSecrets(client, ci.secretsNamespacePrefix ?? "concourse-"),
    },
    {
      listen: options.listen,
      storagePath: options.storagePath,
      localUsers: ci.localUsers ?? [],
      mainTeamLocalUsers: ci.mainTeamLocalUsers,
      version: await sluiceVersion(),
      kube: client,
      logger: options.logger,
    },
  );
  manager.add(http);
  return http;
}
