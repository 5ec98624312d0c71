/** The SQL session on node:sqlite: one file under the data directory, WAL, foreign keys. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Params, SqlDatabase, SqlSession } from "./database.ts";

export const DATABASE_FILE = "ci.db";

const busyTimeoutMs = 5000;

export function openDatabaseFile(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(path.join(dataDir, DATABASE_FILE), {
    enableForeignKeyConstraints: true,
    timeout: busyTimeoutMs,
  });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return db;
}

/** node:sqlite answers at once; the session is async for PostgreSQL. A throw becomes a rejection. */
function answer<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

const bound = (params: Params) => params as Record<string, SQLInputValue>;

/** Statements on one connection, prepared once per SQL text. */
class Statements implements SqlSession {
  readonly #db: DatabaseSync;
  readonly #prepared = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string) {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: Params = {}): Promise<number> {
    return answer(() => Number(this.#prepare(sql).run(bound(params)).changes));
  }

  get<T>(sql: string, params: Params = {}): Promise<T | undefined> {
    return answer(() => this.#prepare(sql).get(bound(params)) as T | undefined);
  }

  all<T>(sql: string, params: Params = {}): Promise<T[]> {
    return answer(() => this.#prepare(sql).all(bound(params)) as T[]);
  }

  exec(script: string): Promise<void> {
    return answer(() => this.#db.exec(script));
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/**
 * One connection shared by the process. node:sqlite answers synchronously, but a transaction's
 * callback awaits between statements, so transactions take turns and statements outside them
 * wait for the open one to end (they would otherwise land inside it).
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite";
  readonly #db: DatabaseSync;
  readonly #statements: Statements;
  #turn: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#statements = new Statements(db);
  }

  static open(dataDir: string): SqliteDatabase {
    return new SqliteDatabase(openDatabaseFile(dataDir));
  }

  run(sql: string, params?: Params) {
    return this.#inTurn(() => this.#statements.run(sql, params));
  }

  get<T>(sql: string, params?: Params) {
    return this.#inTurn(() => this.#statements.get<T>(sql, params));
  }

  all<T>(sql: string, params?: Params) {
    return this.#inTurn(() => this.#statements.all<T>(sql, params));
  }

  exec(script: string) {
    return this.#inTurn(() => this.#statements.exec(script));
  }

  /** Taken at once (IMMEDIATE), so two writers never both read and then fail to upgrade. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.#inTurn(async () => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.#statements);
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        this.#db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.#turn.catch(() => undefined);
    if (this.#db.isOpen) this.#db.close();
  }

  #inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.catch(() => undefined).then(fn);
    this.#turn = run;
    return run;
  }
}
