import assert from "node:assert/strict";
import { test } from "node:test";
import type { LeafStep } from "../build/index.ts";
import type { PodWorker } from "../pods/pod-worker.ts";
import { runsAsPod } from "./pod-task.ts";

const step = (tags?: string[]) => ({ kind: "task", config: { task: "unit", tags } }) as LeafStep<"task">;
const worker = {} as PodWorker;

test("a task runs as a Pod when tagged kubernetes, or always when the server says so", () => {
  assert.equal(runsAsPod(step(["kubernetes"]), { worker, byDefault: false }), true);
  assert.equal(runsAsPod(step(["linux"]), { worker, byDefault: false }), false);
  assert.equal(runsAsPod(step(), { worker, byDefault: true }), true);
  assert.equal(runsAsPod(step(), undefined), false);
});

test("a task tagged kubernetes on a server without the Kubernetes worker errors, saying how to start one", () => {
  assert.throws(
    () => runsAsPod(step(["kubernetes"]), undefined),
    /no Kubernetes worker \(start sluice server with --task-pods-namespace NAMESPACE\)/,
  );
});
