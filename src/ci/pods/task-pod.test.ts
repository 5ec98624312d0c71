import assert from "node:assert/strict";
import { test } from "node:test";
import { taskPod, type TaskPodSpec } from "./task-pod.ts";

const spec: TaskPodSpec = {
  name: "task-7-unit-abc123",
  labels: { "sluice.dev/build-id": "7" },
  image: "golang:1.22",
  command: ["sh"],
  args: ["-ec", "go test ./..."],
  env: { GOFLAGS: "-mod=vendor" },
  workingDir: "/tmp/build/1a2b3c4d",
  runDir: "src",
  runAsUser: 1000,
  privileged: false,
  cpuShares: 512,
  memoryBytes: 1024 ** 3,
};
const placement = { namespace: "ci", nodeSelector: { pool: "ci" }, helperImage: "busybox:1.36" };
type Container = {
  name: string;
  image: string;
  workingDir?: string;
  resources?: unknown;
  volumeMounts: unknown[];
};
type Spec = {
  restartPolicy: string;
  tolerations?: unknown;
  initContainers: Container[];
  containers: Container[];
};

test("a task's Pod: the task's container in its working directory, with its limits, between the copying helpers", () => {
  const pod = taskPod(spec, placement);
  const podSpec = pod["spec"] as Spec;
  assert.equal(pod.metadata.namespace, "ci");
  assert.equal(podSpec.restartPolicy, "Never", "a task runs once");
  assert.deepEqual(podSpec.tolerations, [{ key: "pool", operator: "Exists" }]);
  assert.deepEqual(
    podSpec.initContainers.map((c) => [c.name, c.image]),
    [["inputs", "busybox:1.36"]],
  );
  const [task, outputs] = podSpec.containers;
  assert.equal(outputs?.name, "outputs");
  assert.equal(task?.workingDir, "/tmp/build/1a2b3c4d/src");
  assert.deepEqual(task?.volumeMounts, [{ name: "work", mountPath: "/tmp/build/1a2b3c4d" }]);
  assert.deepEqual(task?.resources, {
    limits: { memory: String(1024 ** 3) },
    requests: { memory: String(1024 ** 3), cpu: "500m" },
  });
});

test("without limits, node selector or run.dir the Pod says nothing of them", () => {
  const bare = { ...spec, runDir: undefined, cpuShares: undefined, memoryBytes: undefined };
  const podSpec = taskPod(bare, { ...placement, nodeSelector: {} })["spec"] as Spec;
  assert.equal(podSpec.tolerations, undefined);
  assert.equal(podSpec.containers[0]?.workingDir, "/tmp/build/1a2b3c4d");
  assert.equal(podSpec.containers[0]?.resources, undefined);
});
