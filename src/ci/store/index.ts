/** The CI store: pipelines, versions, builds and build event logs; node:sqlite by default, PostgreSQL for replicas. */
export * from "./store.ts";
export { canonicalJson, resourceConfigHash } from "./canonical-json.ts";
export { BuildLogSealedError } from "./build-log.ts";
export { NewerSchemaError } from "./sql/migrations.ts";
export { SqlCiStore, type PostgresStoreOptions, type SqliteStoreOptions } from "./sql/sql-store.ts";
