import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { testEnv } from "./env.ts";

/**
 * A fresh database on the server at `serverUrl` (default: the test environment's PostgreSQL);
 * `drop` removes it (connections still open are ended).
 */
export async function freshDatabase(serverUrl?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const postgresUrl = serverUrl ?? (await testEnv()).postgresUrl;
  assert.ok(
    postgresUrl,
    "the test environment has no PostgreSQL: restart it (bin/sluice dev down --dir .sluice/test)",
  );
  const name = `sluice_test_${randomBytes(6).toString("hex")}`;
  await runSql(postgresUrl, `CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runSql(postgresUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs SQL on a connection of its own. */
export async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
