/** The CI store: pipelines, versions, builds and build event logs; node:sqlite by default. */
export * from "./store.ts";
export { canonicalJson, resourceConfigHash } from "./canonical-json.ts";
export { BuildLogSealedError } from "./build-log.ts";
export { NewerSchemaError } from "./sqlite/migrations.ts";
export { SqliteCiStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.ts";
