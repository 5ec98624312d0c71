import assert from "node:assert/strict";
import { test } from "node:test";
import type { PipelineRecord } from "../store/store.ts";
import { PipelineConfigs } from "./pipeline-configs.ts";

const record = (configYaml: string): PipelineRecord => ({
  id: 1,
  teamId: 1,
  team: "main",
  name: "web",
  instanceVars: {},
  configYaml,
  configVersion: 1,
  paused: false,
  archived: false,
  createdAt: 0,
  updatedAt: 0,
});

const pipeline = (uri: string) =>
  `resources: [{name: app, type: git, source: {uri: ${uri}}}]\njobs: [{name: build, plan: [{get: app, trigger: true}]}]\n`;

test("a pipeline destroyed and set again under the same id and version is parsed again", () => {
  const configs = new PipelineConfigs();
  assert.equal(
    configs.of(record(pipeline("http://git/a.git"))).resources?.[0]?.source?.["uri"],
    "http://git/a.git",
  );
  assert.equal(
    configs.of(record(pipeline("http://git/b.git"))).resources?.[0]?.source?.["uri"],
    "http://git/b.git",
  );
  assert.deepEqual([...configs.triggersOf(record(pipeline("http://git/b.git")))], ["app"]);
});
