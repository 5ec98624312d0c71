import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { SluiceError } from "../../common/errors.ts";
import { addTaskPodsFlags, taskPodsOptions, type TaskPodsFlags } from "./task-pods-flags.ts";

const parse = (args: string[]) =>
  addTaskPodsFlags(new Command()).parse(args, { from: "user" }).opts<TaskPodsFlags>();

test("--task-pods-namespace turns the Kubernetes worker on, with its node selector and helper image", () => {
  assert.equal(taskPodsOptions(parse([])), undefined);
  const options = taskPodsOptions(
    parse([
      "--task-pods-namespace",
      "ci-tasks",
      "--task-pods-node-selector",
      "pool=ci",
      "--task-pods-node-selector",
      "zone=a=b",
      "--task-pods-helper-image",
      "registry.local/busybox:1.36",
      "--task-pods-default",
    ]),
  );
  assert.deepEqual(options, {
    namespace: "ci-tasks",
    nodeSelector: { pool: "ci", zone: "a=b" },
    helperImage: "registry.local/busybox:1.36",
    byDefault: true,
  });
});

test("the worker's other flags without a namespace, or a selector without '=', are usage errors", () => {
  assert.throws(() => taskPodsOptions(parse(["--task-pods-default"])), /needs --task-pods-namespace/);
  assert.throws(
    () => taskPodsOptions(parse(["--task-pods-namespace", "ci", "--task-pods-node-selector", "pool"])),
    (error: unknown) => error instanceof SluiceError && /pool: expected key=value/.test(error.message),
  );
  assert.throws(() => parse(["--task-pods-namespace", "Not_A_Namespace"]), /is not valid/);
});
