import os from "node:os";
import assert from "node:assert/strict";
import { it } from "node:test";
import { kustomizeBuilds } from "./limiter.ts";

it("limits kustomize builds to twice the cores (at least 2) by default", () => {
  assert.equal(kustomizeBuilds.limit, Math.max(2, 2 * os.availableParallelism()));
});
