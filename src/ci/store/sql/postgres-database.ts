/**
 * The SQL session on PostgreSQL (node-postgres), for several server replicas sharing one
 * database. Named parameters become positional ones; 64-bit integers (ids, epoch milliseconds)
 * and sums come back as numbers, as they do from SQLite.
 */
import pg from "pg";
import { redact } from "../../../git/exec.ts";
import type { Params, SqlDatabase, SqlSession } from "./database.ts";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const toNumber = (value: string) => Number(value);

/** 64-bit integers and sums as numbers; every other type as node-postgres parses it. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown {
    if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
    return pg.types.getTypeParser(oid, format ?? "text") as (value: string) => unknown;
  },
} as typeof pg.types;

interface Positional {
  text: string;
  names: string[];
}

const converted = new Map<string, Positional>();

/** `:name` → `$n`, the same number for each use of a name; casts (`::type`) and quoted text are left alone. */
export function toPositional(sql: string): Positional {
  let found = converted.get(sql);
  if (!found) {
    const names: string[] = [];
    const text = sql.replace(
      /'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)/g,
      (match, name: string | undefined) => {
        if (name === undefined) return match;
        const index = names.indexOf(name);
        if (index >= 0) return `$${index + 1}`;
        names.push(name);
        return `$${names.length}`;
      },
    );
    found = { text, names };
    converted.set(sql, found);
  }
  return found;
}

function query(sql: string, params: Params = {}) {
  const { text, names } = toPositional(sql);
  return {
    text,
    values: names.map((name) => {
      if (!(name in params)) throw new Error(`SQL parameter :${name} has no value`);
      return params[name];
    }),
  };
}

type Queryable = Pick<pg.Pool, "query">;

class Session implements SqlSession {
  readonly #target: Queryable;
  constructor(target: Queryable) {
    this.#target = target;
  }

  async run(sql: string, params?: Params): Promise<number> {
    return (await this.#target.query(query(sql, params))).rowCount ?? 0;
  }

  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.#target.query(query(sql, params))).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return (await this.#target.query(query(sql, params))).rows as T[];
  }

  async exec(script: string): Promise<void> {
    await this.#target.query(script);
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class PostgresDatabase extends Session implements SqlDatabase {
  readonly dialect = "postgres";
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    super(pool);
    this.#pool = pool;
  }

  /** Connects (failing fast when the server cannot be reached or refuses the credentials). */
  static async open(url: string, options: { maxConnections?: number } = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types });
    // an idle connection the server drops must not crash the process
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end();
      throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new PostgresDatabase(pool);
  }

  override async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(new Session(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}
