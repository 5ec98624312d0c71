/** Helpers for the store's tests: a real SQLite store in a temporary data directory. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parsePipeline } from "../../pipeline/index.ts";
import type { PipelineRecord, SetPipelineInput } from "../store.ts";
import { SqliteCiStore } from "./sqlite-store.ts";

export interface StoreFixture {
  store: SqliteCiStore;
  dataDir: string;
  /** Closes the store and opens the same data directory again, as a restarted server does. */
  reopen: () => Promise<SqliteCiStore>;
}

export async function withStore(fn: (fixture: StoreFixture) => Promise<void> | void): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-ci-store-"));
  const fixture: StoreFixture = {
    store: await SqliteCiStore.open({ dataDir }),
    dataDir,
    reopen: async () => {
      await fixture.store.close();
      fixture.store = await SqliteCiStore.open({ dataDir });
      return fixture.store;
    },
  };
  try {
    await fn(fixture);
  } finally {
    await fixture.store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function pipelineInput(
  name: string,
  yaml: string,
  options: Partial<Omit<SetPipelineInput, "configYaml" | "config">> = {},
): SetPipelineInput {
  const parsed = parsePipeline(yaml);
  if (!parsed.ok) assert.fail(`invalid pipeline: ${JSON.stringify(parsed.errors)}`);
  return {
    team: "main",
    name,
    configYaml: yaml,
    config: parsed.pipeline,
    expectedVersion: 0,
    pausedWhenCreated: false,
    ...options,
  };
}

/** Sets a new pipeline, failing the test on a conflict. */
export async function setNewPipeline(
  store: SqliteCiStore,
  name: string,
  yaml: string,
): Promise<PipelineRecord> {
  const result = await store.setPipeline(pipelineInput(name, yaml));
  if (!result.ok) assert.fail(`unexpected conflict at version ${result.currentVersion}`);
  return result.pipeline;
}

/** A pipeline with a git resource `repo` (at `uri`) and jobs `unit` and `deploy` getting it. */
export const gitPipeline = (uri = "https://git.example/app.git") => `
resources:
  - name: repo
    type: git
    source: { uri: ${uri}, branch: main }
jobs:
  - name: unit
    plan: [{ get: repo, trigger: true }]
  - name: deploy
    serial_groups: [prod]
    build_log_retention: { builds: 2 }
    plan: [{ get: repo, passed: [unit] }]
`;
