/**
 * The first schema. Column names and meanings are the ones a PostgreSQL schema repeats; only
 * types differ (INTEGER 0/1 for booleans, INTEGER epoch milliseconds for times, TEXT for JSON).
 */
export const schemaV1 = `
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  instance_vars TEXT NOT NULL,
  config_yaml TEXT NOT NULL,
  config_version INTEGER NOT NULL,
  paused INTEGER NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (team_id, name, instance_vars)
);

CREATE TABLE resource_configs (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  config_hash TEXT NOT NULL UNIQUE,
  last_check_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE resource_versions (
  id INTEGER PRIMARY KEY,
  resource_config_id INTEGER NOT NULL REFERENCES resource_configs(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  version_digest TEXT NOT NULL,
  metadata TEXT NOT NULL,
  check_order INTEGER NOT NULL,
  UNIQUE (resource_config_id, version_digest)
);
CREATE INDEX resource_versions_order ON resource_versions (resource_config_id, check_order DESC);

CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  resource_config_id INTEGER NOT NULL REFERENCES resource_configs(id),
  check_every TEXT,
  pinned_version_id INTEGER REFERENCES resource_versions(id) ON DELETE SET NULL,
  pin_comment TEXT,
  last_check_started_at INTEGER,
  last_check_ended_at INTEGER,
  check_error TEXT,
  active INTEGER NOT NULL,
  UNIQUE (pipeline_id, name)
);

CREATE TABLE resource_disabled_versions (
  resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions(id) ON DELETE CASCADE,
  PRIMARY KEY (resource_id, version_id)
);

CREATE TABLE resource_types (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  resource_config_id INTEGER NOT NULL REFERENCES resource_configs(id),
  check_every TEXT,
  active INTEGER NOT NULL,
  UNIQUE (pipeline_id, name)
);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  serial INTEGER NOT NULL,
  max_in_flight INTEGER,
  interruptible INTEGER NOT NULL,
  disable_manual_trigger INTEGER NOT NULL,
  log_retention TEXT NOT NULL,
  next_build_number INTEGER NOT NULL DEFAULT 1,
  active INTEGER NOT NULL,
  UNIQUE (pipeline_id, name)
);

CREATE TABLE job_serial_groups (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (job_id, name)
);

CREATE TABLE builds (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  pipeline_id INTEGER REFERENCES pipelines(id) ON DELETE CASCADE,
  job_id INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  manually_triggered INTEGER NOT NULL DEFAULT 0,
  rerun_of INTEGER REFERENCES builds(id) ON DELETE SET NULL,
  rerun_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  log_state TEXT NOT NULL DEFAULT 'open',
  log_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (job_id, name)
);
CREATE INDEX builds_by_job ON builds (job_id, id DESC);
CREATE INDEX builds_unfinished ON builds (status) WHERE status IN ('pending', 'started');
CREATE INDEX builds_with_sealed_log ON builds (id) WHERE log_state = 'sealed';

CREATE TABLE build_inputs (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions(id) ON DELETE CASCADE,
  job_id INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
  first_occurrence INTEGER NOT NULL,
  PRIMARY KEY (build_id, name)
);
CREATE INDEX build_inputs_by_version ON build_inputs (job_id, version_id, name);

CREATE TABLE build_outputs (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions(id) ON DELETE CASCADE,
  PRIMARY KEY (build_id, name, version_id)
);
`;
