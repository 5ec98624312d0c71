/** Row shapes as both databases return them, and their conversion to the store's records. */
import type { Version } from "../../pipeline/fields.ts";
import type {
  BuildRecord,
  BuildStatus,
  JobRecord,
  LogRetention,
  PipelineRecord,
  ResourceRecord,
  ResourceTypeRecord,
  ResourceVersion,
  ResourceVersionView,
  VersionMetadata,
} from "../store.ts";

type Nullable = number | null;
type NullableText = string | null;

const optional = <T>(value: T | null): T | undefined => value ?? undefined;

export interface PipelineRow {
  id: number;
  team_id: number;
  team: string;
  name: string;
  instance_vars: string;
  config_yaml: string;
  config_version: number;
  paused: number;
  archived: number;
  created_at: number;
  updated_at: number;
}

export const toPipeline = (r: PipelineRow): PipelineRecord => ({
  id: r.id,
  teamId: r.team_id,
  team: r.team,
  name: r.name,
  instanceVars: JSON.parse(r.instance_vars) as Record<string, unknown>,
  configYaml: r.config_yaml,
  configVersion: r.config_version,
  paused: r.paused === 1,
  archived: r.archived === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface ResourceTypeRow {
  id: number;
  pipeline_id: number;
  name: string;
  type: string;
  resource_config_id: number;
  check_every: NullableText;
}

export const toResourceType = (r: ResourceTypeRow): ResourceTypeRecord => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  name: r.name,
  type: r.type,
  resourceConfigId: r.resource_config_id,
  checkEvery: optional(r.check_every),
});

export interface ResourceRow extends ResourceTypeRow {
  pinned_version_id: Nullable;
  pin_comment: NullableText;
  last_check_started_at: Nullable;
  last_check_ended_at: Nullable;
  check_error: NullableText;
}

export const toResource = (r: ResourceRow): ResourceRecord => ({
  ...toResourceType(r),
  pinnedVersionId: optional(r.pinned_version_id),
  pinComment: optional(r.pin_comment),
  lastCheckStartedAt: optional(r.last_check_started_at),
  lastCheckEndedAt: optional(r.last_check_ended_at),
  checkError: optional(r.check_error),
});

export interface JobRow {
  id: number;
  pipeline_id: number;
  name: string;
  paused: number;
  serial: number;
  max_in_flight: Nullable;
  interruptible: number;
  disable_manual_trigger: number;
  log_retention: string;
  next_build_number: number;
}

export const toJob = (r: JobRow, serialGroups: string[]): JobRecord => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  name: r.name,
  paused: r.paused === 1,
  serial: r.serial === 1,
  serialGroups,
  maxInFlight: optional(r.max_in_flight),
  interruptible: r.interruptible === 1,
  disableManualTrigger: r.disable_manual_trigger === 1,
  logRetention: JSON.parse(r.log_retention) as LogRetention,
  nextBuildNumber: r.next_build_number,
});

export interface VersionRow {
  id: number;
  resource_config_id: number;
  version: string;
  metadata: string;
  check_order: number;
}

export const toVersion = (r: VersionRow): ResourceVersion => ({
  id: r.id,
  resourceConfigId: r.resource_config_id,
  version: JSON.parse(r.version) as Version,
  metadata: JSON.parse(r.metadata) as VersionMetadata,
  checkOrder: r.check_order,
});

export const toVersionView = (r: VersionRow & { enabled: number }): ResourceVersionView => ({
  ...toVersion(r),
  enabled: r.enabled === 1,
});

export interface BuildRow {
  id: number;
  team_id: number;
  pipeline_id: Nullable;
  job_id: Nullable;
  name: string;
  status: string;
  manually_triggered: number;
  rerun_of: Nullable;
  created_at: number;
  started_at: Nullable;
  ended_at: Nullable;
  log_state: string;
}

export const toBuild = (r: BuildRow): BuildRecord => ({
  id: r.id,
  teamId: r.team_id,
  pipelineId: optional(r.pipeline_id),
  jobId: optional(r.job_id),
  name: r.name,
  status: r.status as BuildStatus,
  manuallyTriggered: r.manually_triggered === 1,
  rerunOf: optional(r.rerun_of),
  createdAt: r.created_at,
  startedAt: optional(r.started_at),
  endedAt: optional(r.ended_at),
  hasLog: r.log_state !== "reaped",
});

export const flag = (value: boolean) => (value ? 1 : 0);
