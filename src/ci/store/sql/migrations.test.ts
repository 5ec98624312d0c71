import assert from "node:assert/strict";
import { test } from "node:test";
import { MIGRATIONS, migrate, NewerSchemaError, schemaVersion } from "./migrations.ts";
import { SqliteDatabase } from "./sqlite-database.ts";
import { withPostgres, withSqlite, withStore } from "./store.test-support.ts";

const latest = MIGRATIONS.at(-1)!.version;

test("a new database gets every migration; reopening applies none and keeps the data", () =>
  withStore(async ({ store, reopen }) => {
    await store.ensureTeam("main");
    const reopened = await reopen();
    assert.deepEqual(
      (await reopened.listTeams()).map((t) => t.name),
      ["main"],
    );
  }));

test("PostgreSQL replicas starting together migrate once and share the data", () =>
  withPostgres(async ({ store, replica }) => {
    const [a, b] = await Promise.all([replica(), replica()]);
    await a.ensureTeam("main");
    assert.deepEqual(
      (await b.listTeams()).map((t) => t.name),
      ["main"],
    );
    assert.deepEqual(await store.listTeams(), await a.listTeams());
  }));

test("a database from a newer Sluice is refused with a clear error", () =>
  withStore(async ({ exec, reopen }) => {
    await exec(
      `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest + 1}, 'from the future', 0)`,
    );
    await assert.rejects(reopen(), (error: Error) => {
      assert.ok(error instanceof NewerSchemaError);
      assert.match(
        error.message,
        new RegExp(`schema version ${latest + 1}, newer than this Sluice knows \\(${latest}\\)`),
      );
      return true;
    });
  }));

test("a failing migration leaves the database at the previous version", () =>
  withSqlite(async ({ dataDir }) => {
    const db = SqliteDatabase.open(dataDir);
    try {
      const broken = [
        ...MIGRATIONS,
        { version: latest + 1, name: "broken", sql: "CREATE TABLE t (x); SELECT nope FROM t;" },
      ];
      await assert.rejects(migrate(db, broken), /no such column: nope/);
      assert.equal(await schemaVersion(db), latest);
      assert.equal(
        (await db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'"))?.n,
        0,
      );
      assert.equal((await db.get<{ journal_mode: string }>("PRAGMA journal_mode"))?.journal_mode, "wal");
    } finally {
      await db.close();
    }
  }));

test("foreign keys are enforced", () =>
  withStore(async ({ exec }) => {
    await assert.rejects(
      exec(
        "INSERT INTO pipelines (team_id, name, instance_vars, config_yaml, config_version, paused, created_at, updated_at) VALUES (999, 'p', '{}', '', 1, 0, 0, 0)",
      ),
      /FOREIGN KEY constraint failed|violates foreign key constraint/,
    );
  }));
