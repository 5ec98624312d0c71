/** One SQLite file under the data directory: WAL, foreign keys, a busy timeout, and transactions. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

export const DATABASE_FILE = "ci.db";

const busyTimeoutMs = 5000;

export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(path.join(dataDir, DATABASE_FILE), {
    enableForeignKeyConstraints: true,
    timeout: busyTimeoutMs,
  });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return db;
}

/**
 * Runs `fn` in a write transaction (taken at once, so two writers never both read then fail to
 * upgrade) and rolls back on any error.
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

export type Params = Record<string, SQLInputValue>;
export type Row = Record<string, SQLInputValue>;

/** Small typed helpers over prepared statements (cached per SQL text). */
export class Sql {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  #prepare(sql: string) {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: Params = {}): { changes: number; lastId: number } {
    const result = this.#prepare(sql).run(params);
    return { changes: Number(result.changes), lastId: Number(result.lastInsertRowid) };
  }

  get<T = Row>(sql: string, params: Params = {}): T | undefined {
    return this.#prepare(sql).get(params) as T | undefined;
  }

  all<T = Row>(sql: string, params: Params = {}): T[] {
    return this.#prepare(sql).all(params) as T[];
  }

  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }
}
