/**
 * The Pod a task runs as on the Kubernetes worker. One emptyDir holds the task's working
 * directory; two helper containers of a small image with `sh` and `tar` mount it: `inputs`, an
 * init container that waits until the worker has copied the inputs in, and `outputs`, which
 * waits beside the task until the worker has copied the outputs out. The task's own container
 * runs its image with `run.path`/`run.args`, its params as the environment.
 */
import type { KubeObject } from "../../kube/objects.ts";

export const workVolume = "work";
/** Where the helper containers mount the working directory. */
export const helperWorkDir = "/work";
export const inputsReady = `${helperWorkDir}/.sluice-inputs-ready`;
export const outputsTaken = `${helperWorkDir}/.sluice-outputs-taken`;
export const taskContainer = "task";
export const inputsContainer = "inputs";
export const outputsContainer = "outputs";

export interface PodPlacement {
  namespace: string;
  /** Node labels the Pods must match; taints with these keys are tolerated. */
  nodeSelector: Readonly<Record<string, string>>;
  /** Has `sh`, `tar`, `sleep` and `touch` (default busybox). */
  helperImage: string;
}

export interface TaskPodSpec {
  name: string;
  labels: Record<string, string>;
  image: string;
  /** `run.path` then `run.args`; undefined keeps the image's entrypoint, with `args` as its arguments. */
  command?: string[] | undefined;
  args?: string[] | undefined;
  env: Record<string, string>;
  /** The task's working directory, which the work volume is mounted at. */
  workingDir: string;
  /** `run.dir`, relative to the working directory. */
  runDir?: string | undefined;
  runAsUser?: number | undefined;
  privileged: boolean;
  cpuShares?: number | undefined;
  memoryBytes?: number | undefined;
}

const waitFor = (marker: string) => ["sh", "-c", `until [ -e ${marker} ]; do sleep 0.1; done`];

function resources(spec: TaskPodSpec) {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  // a Concourse share is 1/1024 of a CPU, as cgroups v1 weigh them
  if (spec.cpuShares !== undefined)
    requests["cpu"] = `${Math.max(1, Math.round((spec.cpuShares * 1000) / 1024))}m`;
  if (spec.memoryBytes !== undefined) limits["memory"] = requests["memory"] = String(spec.memoryBytes);
  return Object.keys(requests).length === 0 ? undefined : { limits, requests };
}

export function taskPod(spec: TaskPodSpec, placement: PodPlacement): KubeObject {
  const mount = (mountPath: string) => [{ name: workVolume, mountPath }];
  const helper = (name: string, marker: string) => ({
    name,
    image: placement.helperImage,
    command: waitFor(marker),
    volumeMounts: mount(helperWorkDir),
  });
  const workingDir = spec.runDir ? `${spec.workingDir}/${spec.runDir}` : spec.workingDir;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: spec.name, namespace: placement.namespace, labels: spec.labels },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 0,
      ...(Object.keys(placement.nodeSelector).length > 0 && {
        nodeSelector: placement.nodeSelector,
        tolerations: Object.keys(placement.nodeSelector).map((key) => ({ key, operator: "Exists" })),
      }),
      volumes: [{ name: workVolume, emptyDir: {} }],
      initContainers: [helper(inputsContainer, inputsReady)],
      containers: [
        {
          name: taskContainer,
          image: spec.image,
          ...(spec.command && { command: spec.command }),
          ...(spec.args && { args: spec.args }),
          env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
          workingDir,
          volumeMounts: mount(spec.workingDir),
          ...(resources(spec) && { resources: resources(spec) }),
          securityContext: {
            privileged: spec.privileged,
            ...(spec.runAsUser !== undefined && { runAsUser: spec.runAsUser }),
          },
        },
        helper(outputsContainer, outputsTaken),
      ],
    },
  };
}
