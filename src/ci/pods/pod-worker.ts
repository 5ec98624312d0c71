/**
 * The Kubernetes worker: a task runs as a Pod (see task-pod.ts), so CI scales with the cluster
 * rather than with the server's machine. Its inputs are copied in and its outputs and caches out
 * through the API server (`pods/exec`), its log followed from the API, its exit code read from
 * the container's status; the Pod is deleted when the task ends, is aborted or fails to start.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { LineSplitter } from "../../process/output.ts";
import { copyFrom, copyInto, execChecked, type ContainerRef } from "./pod-files.ts";
import {
  helperWorkDir,
  inputsContainer,
  inputsReady,
  outputsContainer,
  outputsTaken,
  taskContainer,
  taskPod,
  type PodPlacement,
  type TaskPodSpec,
} from "./task-pod.ts";

/** A directory of the worker's and where it sits under the task's working directory. */
export interface PodMount {
  dir: string;
  path: string;
}

export interface PodTaskRun {
  pod: TaskPodSpec;
  /** Copied in before the task starts. */
  mountsIn: readonly PodMount[];
  /** Copied back out after it ends (outputs and caches). */
  mountsOut: readonly PodMount[];
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface PodTaskResult {
  exitCode: number;
  notes: string[];
}

/** The task's Pod could not run it: its image, its placement or the copy failed. */
export class PodTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PodTaskError";
  }
}

interface ContainerStatus {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: object;
    terminated?: { exitCode: number; reason?: string; message?: string };
  };
}
type Pod = KubeObject & {
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
};

/** Waiting reasons a container does not get over by waiting longer. */
const stuck = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);
const pollMs = 200;

const statusesOf = (pod: Pod): ContainerStatus[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? []),
];
const statusOf = (pod: Pod, name: string): ContainerStatus | undefined =>
  statusesOf(pod).find((status) => status.name === name);

export class PodWorker {
  readonly #client: KubeClient;
  readonly placement: PodPlacement;

  constructor(client: KubeClient, placement: PodPlacement) {
    this.#client = client;
    this.placement = placement;
  }

  async run(run: PodTaskRun): Promise<PodTaskResult> {
    const { namespace } = this.placement;
    const name = run.pod.name;
    await this.#client.create(taskPod(run.pod, this.placement));
    run.log(`created Pod ${namespace}/${name}`);
    const ref = (container: string): ContainerRef => ({ namespace, pod: name, container });
    try {
      const started = await this.#until(
        run,
        (status) => status.name === inputsContainer && status.state?.running !== undefined,
      );
      run.log(`running as Pod ${namespace}/${name} on node ${started.spec?.nodeName ?? "?"}`);
      await this.#copyIn(run, ref(inputsContainer));
      const logs = this.#followLog(run);
      logs.catch(() => {}); // awaited below; a failure to start is reported by the wait first
      const terminated = await this.#until(
        run,
        (status) => status.name === taskContainer && status.state?.terminated !== undefined,
      );
      await logs;
      const end = statusOf(terminated, taskContainer)!.state!.terminated!;
      for (const mount of run.mountsOut)
        await copyFrom(
          this.#client,
          ref(outputsContainer),
          `${helperWorkDir}/${mount.path}`,
          mount.dir,
          run.signal,
        );
      await execChecked(this.#client, ref(outputsContainer), ["touch", outputsTaken], { signal: run.signal });
      const notes =
        end.reason === "OOMKilled"
          ? ["the container ran out of memory: the kernel killed it at its memory limit"]
          : [];
      return { exitCode: end.exitCode, notes };
    } finally {
      await this.#client
        .request("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`, {
          body: { gracePeriodSeconds: 0 },
        })
        .catch((error: unknown) => {
          if (!isNotFound(error))
            run.log(`deleting Pod ${namespace}/${name} failed: ${(error as Error).message}`);
        });
    }
  }

  async #copyIn(run: PodTaskRun, inputs: ContainerRef): Promise<void> {
    const paths = [...run.mountsIn, ...run.mountsOut].map((mount) => `${helperWorkDir}/${mount.path}`);
    // outputs and caches are the task's to write, whichever user it runs as
    if (paths.length > 0)
      await execChecked(this.#client, inputs, ["mkdir", "-p", ...paths], { signal: run.signal });
    const writable = run.mountsOut.map((mount) => `${helperWorkDir}/${mount.path}`);
    if (writable.length > 0)
      await execChecked(this.#client, inputs, ["chmod", "0777", ...writable], { signal: run.signal });
    for (const mount of [...run.mountsIn, ...run.mountsOut])
      await copyInto(this.#client, inputs, mount.dir, `${helperWorkDir}/${mount.path}`, run.signal);
    await execChecked(this.#client, inputs, ["touch", inputsReady], { signal: run.signal });
  }

  /** The task container's log, line by line, from its start to its end. */
  async #followLog(run: PodTaskRun): Promise<void> {
    const started = (status: ContainerStatus) => Boolean(status.state?.running ?? status.state?.terminated);
    await this.#until(run, (status) => status.name === taskContainer && started(status));
    const { namespace } = this.placement;
    const body = await this.#client.stream(`/api/v1/namespaces/${namespace}/pods/${run.pod.name}/log`, {
      query: { container: taskContainer, follow: "true" },
      signal: run.signal,
    });
    const lines = new LineSplitter(run.log);
    for await (const chunk of body) lines.push(chunk);
    lines.end();
  }

  /** Polls the Pod until one of its containers' status satisfies `done`; a container that cannot start fails it. */
  async #until(run: PodTaskRun, done: (status: ContainerStatus) => boolean): Promise<Pod> {
    const { namespace } = this.placement;
    let reported = "";
    for (;;) {
      run.signal.throwIfAborted();
      const pod = await this.#client.get<Pod>("v1", "Pod", run.pod.name, namespace);
      const statuses = statusesOf(pod);
      if (statuses.some(done)) return pod;
      const failed = statuses.find((status) => stuck.has(status.state?.waiting?.reason ?? ""));
      if (failed) {
        const { reason, message } = failed.state!.waiting!;
        throw new PodTaskError(
          `the task's Pod cannot start its ${failed.name} container: ${reason}: ${message ?? ""}`.trim(),
        );
      }
      if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded")
        throw new PodTaskError(`the task's Pod ended (${pod.status.phase}) before the task did`);
      const waiting = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
      const news = waiting ? `waiting for a node: ${waiting.message ?? waiting.reason ?? ""}` : "";
      if (news && news !== reported) run.log(news);
      reported = news;
      await sleep(pollMs, undefined, { signal: run.signal });
    }
  }
}
