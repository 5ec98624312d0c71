/**
 * The version of an input without `passed`: the pinned one, the latest, or for `version: every`
 * the next one after the newest this job has used (Concourse's NextEveryVersion: a job that never
 * ran starts at the latest version, and one that used the newest stays on it).
 */
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

export async function resolveSingleInput(
  job: string,
  input: JobInput,
  versions: VersionHistory,
  builds: BuildHistory,
): Promise<Candidate> {
  const rule = input.version;
  if (rule.kind === "pinned") {
    const version = await versions.findVersion(input.resource, rule.fields);
    return version
      ? { ok: true, version }
      : { ok: false, reason: reasons.pinNotFound(input.resource, rule.fields) };
  }
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
