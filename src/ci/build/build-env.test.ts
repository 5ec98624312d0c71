import assert from "node:assert/strict";
import { test } from "node:test";
import { buildEnv } from "./build-env.ts";

test("a job build: every BUILD_* variable, instance vars as JSON", () => {
  const env = buildEnv(
    {
      buildId: 42,
      buildName: "7.1",
      team: "main",
      pipeline: { id: 3, name: "demo", instanceVars: { branch: "main" } },
      job: { id: 9, name: "build" },
    },
    "https://ci.example",
  );
  assert.deepEqual(env, {
    BUILD_ID: "42",
    BUILD_NAME: "7.1",
    BUILD_TEAM_NAME: "main",
    BUILD_JOB_NAME: "build",
    BUILD_PIPELINE_NAME: "demo",
    BUILD_PIPELINE_INSTANCE_VARS: '{"branch":"main"}',
    ATC_EXTERNAL_URL: "https://ci.example",
  });
});

test("a one-off build has no job or pipeline variables; a plain pipeline no instance vars", () => {
  const oneOff = buildEnv({ buildId: 1, buildName: "1", team: "main" }, "http://localhost:8080");
  assert.deepEqual(Object.keys(oneOff).sort(), [
    "ATC_EXTERNAL_URL",
    "BUILD_ID",
    "BUILD_NAME",
    "BUILD_TEAM_NAME",
  ]);
  const plain = buildEnv(
    { buildId: 1, buildName: "1", team: "main", pipeline: { id: 1, name: "p", instanceVars: {} } },
    "http://localhost:8080",
  );
  assert.equal(plain["BUILD_PIPELINE_INSTANCE_VARS"], undefined);
  assert.equal(plain["BUILD_PIPELINE_NAME"], "p");
});
