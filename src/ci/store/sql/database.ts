/**
 * The SQL both stores speak: named parameters (`:name`), statements run alone or in a
 * transaction. SQLite and PostgreSQL each implement it; the store's queries are written once
 * in the SQL both accept.
 */
export type SqlValue = string | number | null | Uint8Array;
export type Params = Record<string, SqlValue>;

export type Dialect = "sqlite" | "postgres";

export interface SqlSession {
  /** Runs a statement; answers the number of rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** Runs several statements without parameters (schema changes). */
  exec(script: string): Promise<void>;
  /**
   * Runs `fn` in one transaction, rolled back when it throws. Inside a transaction this joins
   * the one already open, so helpers can be called from either side.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlSession {
  readonly dialect: Dialect;
  close(): Promise<void>;
}
