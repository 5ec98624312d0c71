/**
 * The schema's history, numbered; each migration runs in its own transaction and is recorded in
 * `schema_migrations`. A database written by newer code is refused rather than misread.
 */
import type { DatabaseSync } from "node:sqlite";
import { inTransaction } from "./connection.ts";
import { schemaV1 } from "./schema-v1.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema", sql: schemaV1 },
  {
    version: 2,
    name: "the job and build that set a pipeline",
    sql: `ALTER TABLE pipelines ADD COLUMN parent_job_id INTEGER;
          ALTER TABLE pipelines ADD COLUMN parent_build_id INTEGER;
          CREATE INDEX pipelines_parent_job ON pipelines (parent_job_id);`,
  },
];

export class NewerSchemaError extends Error {
  constructor(found: number, known: number) {
    super(
      `the CI database has schema version ${found}, newer than this Sluice knows (${known}): run a newer Sluice or restore a backup`,
    );
    this.name = "NewerSchemaError";
  }
}

/** Applies the migrations the database lacks; returns the versions applied. */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[] = MIGRATIONS,
  now = Date.now(),
): number[] {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const known = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > known) throw new NewerSchemaError(current, known);
  const pending = migrations.filter((m) => m.version > current);
  for (const migration of pending) {
    inTransaction(db, () => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        now,
      );
    });
  }
  return pending.map((m) => m.version);
}

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("SELECT max(version) AS version FROM schema_migrations").get() as
    { version: number | null } | undefined;
  return row?.version ?? 0;
}
