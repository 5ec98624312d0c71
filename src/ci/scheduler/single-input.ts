/**
 * The version of an input without `passed`: the pinned one, the latest, or for `version: every`
 * the next one after the newest this job has used (Concourse's NextEveryVersion: a job that never
 * ran starts at the latest version, and one that used the newest stays on it).
 */
import type { Version } from "../pipeline/fields.ts";
import type { BuildHistory, StoredVersion, VersionHistory } from "./history.ts";
import type { JobInput } from "./job-inputs.ts";
import { reasons } from "./waiting-reasons.ts";

export type Candidate = { ok: true; version: StoredVersion } | { ok: false; reason: string };

async function nextEveryVersion(
  job: string,
  resource: string,
  versions: VersionHistory,
  builds: BuildHistory,
): Promise<StoredVersion | undefined> {
  const used = await builds.newestVersionUsed(job, resource);
  if (!used) return versions.latestVersion(resource);
  return (
    (await versions.nextVersionAfter(resource, used.checkOrder)) ??
    (await versions.latestVersionUpTo(resource, used.checkOrder))
  );
}

/** The version an input's pin names, the newest that matches. */
export async function resolvePin(
  resource: string,
  fields: Version,
  versions: VersionHistory,
): Promise<Candidate> {
  const version = await versions.findVersion(resource, fields);
  return version ? { ok: true, version } : { ok: false, reason: reasons.pinNotFound(resource, fields) };
}

export async function resolveSingleInput(
  job: string,
  input: JobInput,
  versions: VersionHistory,
  builds: BuildHistory,
): Promise<Candidate> {
  const rule = input.version;
  if (rule.kind === "pinned") return resolvePin(input.resource, rule.fields, versions);
  const version =
    rule.kind === "every"
      ? await nextEveryVersion(job, input.resource, versions, builds)
      : await versions.latestVersion(input.resource);
  if (version) return { ok: true, version };
  const reason = (await versions.hasAnyVersion(input.resource))
    ? reasons.allDisabled(input.resource)
    : reasons.noVersions(input.resource);
  return { ok: false, reason };
}
