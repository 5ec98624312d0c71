/** The local worker of `sluice server`'s CI engine: builder, resources, sandbox, volumes. */
import { rm } from "node:fs/promises";
import path from "node:path";
import { Wakeup } from "../ci/engine/wakeup.ts";
import type { WorkerVolumes } from "../ci/sandbox/volumes/worker-volumes.ts";
import { RegistryMirrors } from "../oci/mirrors.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Manager } from "../runtime/manager.ts";
import { untilAborted, type Runnable } from "../runtime/runnable.ts";
import type { PodTasks } from "../ci/steps/pod-task.ts";
import type { KubeClient } from "../kube/client.ts";
import type { CiOptions, TaskPodsOptions } from "./ci-engine.ts";

/**
 * What builds run with on this server: the image builder (a BuildKit child, stopped with the
 * server), the built-in resources, and the sandbox with its image cache and task caches, for
 * tasks and declared resource types.
 */
export async function startLocalWorker(
  manager: Manager,
  client: KubeClient,
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
    { TaskCaches },
  ] = await Promise.all([
    import("../ci/resources/custom/container-resource.ts"),
    import("../ci/resources/builtin.ts"),
    import("../ci/builder/index.ts"),
    import("../ci/builder/rootfs-unpacker.ts"),
    import("../ci/steps/task.ts"),
    import("../ci/sandbox/rootfs/image-cache.ts"),
    import("../ci/sandbox/container/sandbox.ts"),
    import("../ci/sandbox/volumes/task-caches.ts"),
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
  const caches = new TaskCaches({ dir: path.join(workerDir, "caches") });
  const pods = ci.taskPods && (await podTasks(client, ci.taskPods));
  const task = taskStepRunner({ images, builder, sandbox, caches, pods });
  const customTypes = containerResourceTypes({ images, sandbox, externalUrl: ci.externalUrl });
  return { resources, customTypes, task, builder, volumes: { caches, images, sandbox } };
}

/** The Kubernetes worker, its namespace made when missing. */
async function podTasks(client: KubeClient, options: TaskPodsOptions): Promise<PodTasks> {
  const { PodWorker } = await import("../ci/pods/pod-worker.ts");
  const { namespace } = options;
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { fieldManager: "sluice-ci" },
  );
  const placement = {
    namespace,
    nodeSelector: options.nodeSelector ?? {},
    helperImage: options.helperImage ?? "busybox:1.36",
  };
  return { worker: new PodWorker(client, placement), byDefault: options.byDefault ?? false };
}

/**
 * Collects the worker's unused volumes at start and every `everyMs` (default 10 min), logging
 * what it removed; runs on every replica, as each has its own disk.
 */
export function volumeCollector(volumes: WorkerVolumes, logger: Logger, everyMs = 10 * 60_000): Runnable {
  const collect = async () => {
    try {
      const removed = await volumes.collect();
      if (removed.length > 0) {
        const bytes = removed.reduce((sum, volume) => sum + volume.bytes, 0);
        logger.info({ volumes: removed.map((v) => v.path), bytes }, "removed unused task caches");
      }
    } catch (error) {
      logger.error({ error: (error as Error).message }, "collecting volumes failed");
    }
  };
  return {
    name: "volume-collector",
    start: (signal) => {
      const wakeup = new Wakeup();
      const done = (async () => {
        while (!signal.aborted) {
          await collect();
          await wakeup.sleep(everyMs, signal);
        }
      })();
      return Promise.resolve({ done });
    },
  };
}
