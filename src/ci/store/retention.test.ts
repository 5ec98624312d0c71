import assert from "node:assert/strict";
import { test } from "node:test";
import { buildsToReap, logsOverBound, type RetainedBuild } from "./retention.ts";

const day = 24 * 60 * 60 * 1000;
const now = 100 * day;
const builds: RetainedBuild[] = [
  { id: 5, status: "failed", endedAt: now - 1 * day },
  { id: 4, status: "succeeded", endedAt: now - 2 * day },
  { id: 3, status: "failed", endedAt: now - 3 * day },
  { id: 2, status: "succeeded", endedAt: now - 4 * day },
  { id: 1, status: "errored", endedAt: now - 5 * day },
];

test("retention by count keeps the newest builds", () => {
  assert.deepEqual(buildsToReap(builds, { builds: 2 }, now), [3, 2, 1]);
});

test("retention by days keeps builds ended within them", () => {
  assert.deepEqual(buildsToReap(builds, { days: 3 }, now), [2, 1]);
});

test("count and days together reap what either limit reaps", () => {
  assert.deepEqual(buildsToReap(builds, { builds: 4, days: 2 }, now), [3, 2, 1]);
});

test("the newest succeeded builds are kept up to the minimum", () => {
  assert.deepEqual(buildsToReap(builds, { builds: 1, minimumSucceededBuilds: 2 }, now), [3, 1]);
});

test("no retention keeps every log", () => {
  assert.deepEqual(buildsToReap(builds, {}, now), []);
});

test("the disk bound removes the oldest logs until the rest fit", () => {
  const logs = [
    { id: 1, bytes: 100 },
    { id: 2, bytes: 50 },
    { id: 3, bytes: 70 },
  ];
  assert.deepEqual(logsOverBound(logs, 150), [1]);
  assert.deepEqual(logsOverBound(logs, 70), [1, 2]);
  assert.deepEqual(logsOverBound(logs, 500), []);
});
