/** The store's records in Concourse's JSON shapes (atc/pipeline.go, job.go, build.go, resource.go). */
import type {
  BuildRecord,
  JobRecord,
  PipelineRecord,
  ResourceRecord,
  ResourceVersionView,
} from "../store/index.ts";
import type { JobWaiting } from "../engine/control.ts";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));

export function presentPipeline(p: PipelineRecord) {
  return {
    id: p.id,
    name: p.name,
    ...(Object.keys(p.instanceVars).length > 0 ? { instance_vars: p.instanceVars } : {}),
    paused: p.paused,
    public: false,
    archived: p.archived,
    team_name: p.team,
    last_updated: seconds(p.updatedAt),
  };
}

export interface BuildNames {
  team: string;
  pipeline?: Pick<PipelineRecord, "id" | "name"> | undefined;
  job?: string | undefined;
}

export function presentBuild(b: BuildRecord, names: BuildNames) {
  const [, rerun] = b.name.split(".");
  return {
    id: b.id,
    team_name: names.team,
    name: b.name,
    status: b.status,
    api_url: `/api/v1/builds/${b.id}`,
    ...(names.job === undefined ? {} : { job_name: names.job }),
    ...(names.pipeline ? { pipeline_id: names.pipeline.id, pipeline_name: names.pipeline.name } : {}),
    start_time: seconds(b.startedAt),
    end_time: seconds(b.endedAt),
    ...(b.rerunOf === undefined ? {} : { rerun_of: { id: b.rerunOf }, rerun_number: Number(rerun) }),
    manually_triggered: b.manuallyTriggered,
  };
}

/** Concourse's job, plus `waiting`: the scheduler's last reason for not starting a build (ours). */
export function presentJob(
  job: JobRecord,
  pipeline: PipelineRecord,
  latest: { next?: BuildRecord | undefined; finished?: BuildRecord | undefined },
  waiting: JobWaiting | undefined,
) {
  const names = { team: pipeline.team, pipeline, job: job.name };
  return {
    id: job.id,
    name: job.name,
    team_name: pipeline.team,
    pipeline_id: pipeline.id,
    pipeline_name: pipeline.name,
    paused: job.paused,
    disable_manual_trigger: job.disableManualTrigger,
    next_build: latest.next ? presentBuild(latest.next, names) : null,
    finished_build: latest.finished ? presentBuild(latest.finished, names) : null,
    ...(waiting
      ? {
          waiting: {
            reason: waiting.reason,
            inputs: waiting.waiting,
            decided_at: seconds(waiting.decidedAt),
          },
        }
      : {}),
  };
}

export function presentResource(r: ResourceRecord, pipeline: PipelineRecord) {
  return {
    id: r.id,
    name: r.name,
    pipeline_id: pipeline.id,
    pipeline_name: pipeline.name,
    team_name: pipeline.team,
    type: r.type,
    ...(r.lastCheckEndedAt === undefined ? {} : { last_checked: seconds(r.lastCheckEndedAt) }),
    ...(r.pinnedVersionId === undefined ? {} : { pinned_version_id: r.pinnedVersionId }),
    ...(r.pinComment === undefined ? {} : { pin_comment: r.pinComment }),
    ...(r.checkError === undefined ? {} : { check_error: r.checkError }),
  };
}

export function presentVersion(v: ResourceVersionView) {
  return { id: v.id, version: v.version, metadata: v.metadata, enabled: v.enabled };
}
