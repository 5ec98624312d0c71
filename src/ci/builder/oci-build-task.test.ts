import assert from "node:assert/strict";
import { test } from "node:test";
import type { TaskConfig } from "../pipeline/task-config.ts";
import { isOciBuildTask } from "./oci-build-task.ts";

const task = (repository: string, path = "build", type = "registry-image"): TaskConfig => ({
  platform: "linux",
  image_resource: { type, source: { repository } },
  run: { path },
});

test("oci-build-task is recognised under any of its names and tags, only when it runs build", () => {
  assert.ok(isOciBuildTask(task("concourse/oci-build-task")));
  assert.ok(isOciBuildTask(task("docker.io/concourse/oci-build-task")));
  assert.ok(isOciBuildTask(task("concourse/oci-build-task:0.11")));
  assert.ok(isOciBuildTask(task("vito/oci-build-task")), "its original name");
  assert.ok(isOciBuildTask(task("concourse/oci-build-task", "build", "docker-image")));
  assert.ok(!isOciBuildTask(task("concourse/oci-build-task", "sh")));
  assert.ok(!isOciBuildTask(task("example.com/concourse/oci-build-task")));
  assert.ok(!isOciBuildTask(task("vito/oci-build-task-fork")));
  assert.ok(!isOciBuildTask({ platform: "linux", run: { path: "build" } }));
});
