/**
 * Helpers for the store's tests: each test body runs against a real SQLite store in a temporary
 * data directory, then against a fresh database of the test environment's PostgreSQL.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freshDatabase, runSql } from "../../../../test/helpers/postgres.ts";
import { parsePipeline } from "../../pipeline/index.ts";
import type { PipelineRecord, SetPipelineInput } from "../store.ts";
import type { Dialect } from "./database.ts";
import { SqliteDatabase } from "./sqlite-database.ts";
import { SqlCiStore } from "./sql-store.ts";

export interface StoreFixture {
  dialect: Dialect;
  store: SqlCiStore;
  /** The server's data directory (SQLite's file and the log files live there). */
  dataDir: string;
  /** Closes the store and opens the same database again, as a restarted server does. */
  reopen: () => Promise<SqlCiStore>;
  /** Runs SQL on a connection of its own, as an operator (or a crash) would change the database. */
  exec: (script: string) => Promise<void>;
}

export interface PostgresFixture extends StoreFixture {
  /** Another store on the same database, as a second server replica. */
  replica: () => Promise<SqlCiStore>;
}

type Body<F = StoreFixture> = (fixture: F) => Promise<void> | void;

/** Runs `fn` against SQLite, then against PostgreSQL; a failure names the database. */
export async function withStore(fn: Body): Promise<void> {
  for (const dialect of ["sqlite", "postgres"] as const) {
    try {
      await (dialect === "sqlite" ? withSqlite(fn) : withPostgres(fn));
    } catch (error) {
      if (error instanceof Error) error.message = `[${dialect}] ${error.message}`;
      throw error;
    }
  }
}

export function withSqlite(fn: Body): Promise<void> {
  return withFixture({
    dialect: "sqlite",
    open: (dataDir) => SqlCiStore.openSqlite({ dataDir }),
    exec: async (dataDir, script) => {
      const db = SqliteDatabase.open(dataDir);
      try {
        await db.exec(script);
      } finally {
        await db.close();
      }
    },
    fn,
  });
}

export async function withPostgres(fn: Body<PostgresFixture>): Promise<void> {
  const database = await freshDatabase();
  try {
    await withFixture({
      dialect: "postgres",
      open: () => SqlCiStore.openPostgres({ url: database.url, maxConnections: 4 }),
      exec: (_, script) => runSql(database.url, script),
      fn,
    });
  } finally {
    await database.drop();
  }
}

/** The fixture over `open`; every store it opened is closed and the data directory removed at the end. */
async function withFixture(o: {
  dialect: Dialect;
  open: (dataDir: string) => Promise<SqlCiStore>;
  exec: (dataDir: string, script: string) => Promise<void>;
  fn: Body<PostgresFixture>;
}): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-ci-store-"));
  const opened: SqlCiStore[] = [];
  const open = async () => (opened.push(await o.open(dataDir)), opened.at(-1)!);
  const fixture: PostgresFixture = {
    dialect: o.dialect,
    store: await open(),
    dataDir,
    reopen: async () => {
      await fixture.store.close();
      return (fixture.store = await open());
    },
    replica: open,
    exec: (script) => o.exec(dataDir, script),
  };
  try {
    await o.fn(fixture);
  } finally {
    for (const store of opened) await store.close();
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
export async function setNewPipeline(store: SqlCiStore, name: string, yaml: string): Promise<PipelineRecord> {
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
