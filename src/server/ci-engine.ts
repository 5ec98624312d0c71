/**
 * The CI engine in `sluice server`: a SQLite CI store under `<storage path>/ci/`, the checker and
 * scheduler loops run while leading, `((vars))` from Kubernetes Secrets in `<prefix><team>`.
 * The engine's code is imported only when CI is enabled.
 */
import path from "node:path";
import type { CiStore } from "../ci/store/index.ts";
import type { BuildLauncher } from "../ci/engine/launcher.ts";
import type { CiEngine } from "../ci/engine/engine.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Manager } from "../runtime/manager.ts";

export interface CiOptions {
  /** Namespace prefix of the credential manager (default `concourse-`). */
  secretsNamespacePrefix?: string | undefined;
  /**
   * Runs the builds the scheduler starts. Without one, started builds end errored saying that
   * this server cannot run builds yet.
   */
  launcher?: ((store: CiStore) => BuildLauncher) | undefined;
  /** Between the checker's and the scheduler's passes (default 10 s). */
  tick?: number | undefined;
}

export interface RunningCi {
  store: CiStore;
  engine: CiEngine;
}

export async function setupCiEngine(
  manager: Manager,
  client: KubeClient,
  options: { storagePath: string; logger: Logger; ci: CiOptions },
): Promise<RunningCi> {
  const [{ SqliteCiStore }, { CiEngine }, { kubernetesPipelineVars }, { erroringLauncher }] =
    await Promise.all([
      import("../ci/store/index.ts"),
      import("../ci/engine/engine.ts"),
      import("../ci/engine/pipeline-vars.ts"),
      import("../ci/engine/errored-launcher.ts"),
    ]);
  const { ci } = options;
  const store = await SqliteCiStore.open({ dataDir: path.join(options.storagePath, "ci") });
  const engine = new CiEngine({
    store,
    launcher: ci.launcher ? ci.launcher(store) : erroringLauncher(store),
    vars: kubernetesPipelineVars(client, { namespacePrefix: ci.secretsNamespacePrefix ?? "concourse-" }),
    logger: options.logger.child({ component: "ci-engine" }),
    ...(ci.tick !== undefined && { checkTick: ci.tick, scheduleTick: ci.tick }),
  });
  manager.add(engine, { leaderOnly: true });
  return { store, engine };
}
