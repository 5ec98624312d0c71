/**
 * The schema's history, numbered; the pending migrations run in one transaction and are recorded
 * in `schema_migrations`. A database written by newer code is refused rather than misread.
 */
import type { SqlDatabase, SqlSession } from "./database.ts";
import { buildLogTables, forDialect, schemaV1 } from "./schema.ts";

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
  { version: 3, name: "build logs kept in the database", sql: buildLogTables },
  {
    version: 4,
    name: "team members, and secrets the replicas share",
    sql: `ALTER TABLE teams ADD COLUMN auth TEXT NOT NULL DEFAULT '{}';
          CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);`,
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

const migrationsTable =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

/** Any number, the same in every replica: PostgreSQL's advisory lock key for migrations. */
const MIGRATION_LOCK = 7_263_001;

/**
 * Applies the migrations the database lacks; returns the versions applied. Replicas starting
 * together take turns (an advisory lock on PostgreSQL, the write lock on SQLite).
 */
export function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
  now = Date.now(),
): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.dialect === "postgres")
      await tx.run("SELECT pg_advisory_xact_lock(:key)", { key: MIGRATION_LOCK });
    await tx.exec(forDialect(migrationsTable, db.dialect));
    const known = migrations.at(-1)?.version ?? 0;
    const current = await schemaVersion(tx);
    if (current > known) throw new NewerSchemaError(current, known);
    const pending = migrations.filter((m) => m.version > current);
    for (const migration of pending) {
      await tx.exec(forDialect(migration.sql, db.dialect));
      await tx.run(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :now)",
        {
          version: migration.version,
          name: migration.name,
          now,
        },
      );
    }
    return pending.map((m) => m.version);
  });
}

export async function schemaVersion(db: SqlSession): Promise<number> {
  const row = await db.get<{ version: number | null }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  return row?.version ?? 0;
}
