/**
 * Helpers for the store's tests: each test body runs against a real SQLite store in a temporary
 * data directory, then against a fresh database of the test environment's PostgreSQL.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { testEnv } from "../../../../test/helpers/env.ts";
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

export async function withSqlite(fn: Body): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-ci-store-"));
  const open = () => SqlCiStore.openSqlite({ dataDir });
  const opened: SqlCiStore[] = [];
  const track = async (store: Promise<SqlCiStore>) => (opened.push(await store), opened.at(-1)!);
  const fixture: StoreFixture = {
    dialect: "sqlite",
    store: await track(open()),
    dataDir,
    reopen: async () => {
      await fixture.store.close();
      return (fixture.store = await track(open()));
    },
    exec: async (script) => {
      const db = SqliteDatabase.open(dataDir);
      try {
        await db.exec(script);
      } finally {
        await db.close();
      }
    },
  };
  try {
    await fn(fixture);
  } finally {
    for (const store of opened) await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function withPostgres(fn: Body<PostgresFixture>): Promise<void> {
  const { postgresUrl } = await testEnv();
  assert.ok(
    postgresUrl,
    "the test environment has no PostgreSQL: restart it (bin/sluice dev down --dir .sluice/test)",
  );
  const name = `sluice_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(postgresUrl, `CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-ci-store-"));
  const open = () => SqlCiStore.openPostgres({ url: url.toString(), maxConnections: 4 });
  const opened: SqlCiStore[] = [];
  const track = async (store: Promise<SqlCiStore>) => (opened.push(await store), opened.at(-1)!);
  const fixture: PostgresFixture = {
    dialect: "postgres",
    store: await track(open()),
    dataDir,
    reopen: async () => {
      await fixture.store.close();
      return (fixture.store = await track(open()));
    },
    replica: () => track(open()),
    exec: (script) => adminQuery(url.toString(), script),
  };
  try {
    await fn(fixture);
  } finally {
    for (const store of opened) await store.close();
    await rm(dataDir, { recursive: true, force: true });
    await adminQuery(postgresUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
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
