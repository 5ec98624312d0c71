/**
 * The BUILD_* metadata Concourse gives resource scripts (get, put) and tasks, as environment
 * variables: which build, job, pipeline and team a step runs for, and the server's URL.
 */
import type { BuildIdentity } from "./context.ts";

export function buildEnv(identity: BuildIdentity, externalUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    BUILD_ID: String(identity.buildId),
    BUILD_NAME: identity.buildName,
    BUILD_TEAM_NAME: identity.team,
    ATC_EXTERNAL_URL: externalUrl,
  };
  if (identity.job !== undefined) env["BUILD_JOB_NAME"] = identity.job.name;
  if (identity.pipeline !== undefined) {
    env["BUILD_PIPELINE_NAME"] = identity.pipeline.name;
    // as Concourse: only set for an instanced pipeline
    if (Object.keys(identity.pipeline.instanceVars).length > 0) {
      env["BUILD_PIPELINE_INSTANCE_VARS"] = JSON.stringify(identity.pipeline.instanceVars);
    }
  }
  return env;
}
