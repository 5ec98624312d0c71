import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import path from "node:path";
import { test } from "node:test";
import { DATABASE_FILE, openDatabase } from "./connection.ts";
import { MIGRATIONS, migrate, NewerSchemaError, schemaVersion } from "./migrations.ts";
import { SqliteCiStore } from "./sqlite-store.ts";
import { withStore } from "./store.test-support.ts";

const latest = MIGRATIONS.at(-1)!.version;

test("a new data directory gets every migration; reopening applies none and keeps the data", () =>
  withStore(async ({ store, dataDir, reopen }) => {
    await store.ensureTeam("main");
    const db = openDatabase(dataDir);
    try {
      assert.equal(schemaVersion(db), latest);
      assert.deepEqual(migrate(db), []);
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.["journal_mode"], "wal");
    } finally {
      db.close();
    }
    const reopened = await reopen();
    assert.deepEqual(
      (await reopened.listTeams()).map((t) => t.name),
      ["main"],
    );
  }));

test("a database from a newer Sluice is refused with a clear error", () =>
  withStore(async ({ store, dataDir }) => {
    await store.close();
    const db = new DatabaseSync(path.join(dataDir, DATABASE_FILE));
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)",
    ).run(latest + 1);
    db.close();
    await assert.rejects(SqliteCiStore.open({ dataDir }), (error: Error) => {
      assert.ok(error instanceof NewerSchemaError);
      assert.match(
        error.message,
        new RegExp(`schema version ${latest + 1}, newer than this Sluice knows \\(${latest}\\)`),
      );
      return true;
    });
  }));

test("a failing migration leaves the database at the previous version", () =>
  withStore(({ dataDir }) => {
    const db = openDatabase(dataDir);
    try {
      const broken = [
        ...MIGRATIONS,
        { version: latest + 1, name: "broken", sql: "CREATE TABLE t (x); SELECT nope FROM t;" },
      ];
      assert.throws(() => migrate(db, broken), /no such column: nope/);
      assert.equal(schemaVersion(db), latest);
      assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get()?.["n"], 0);
    } finally {
      db.close();
    }
  }));

test("foreign keys are enforced", () =>
  withStore(({ dataDir }) => {
    const db = openDatabase(dataDir);
    try {
      assert.throws(
        () =>
          db
            .prepare(
              "INSERT INTO pipelines (team_id, name, instance_vars, config_yaml, config_version, paused, created_at, updated_at) VALUES (999, 'p', '{}', '', 1, 0, 0, 0)",
            )
            .run(),
        /FOREIGN KEY constraint failed/,
      );
    } finally {
      db.close();
    }
  }));
