/** The `time` resource: versions on a schedule, as concourse/time-resource produces them. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  ResourceError,
  settled,
  type BuiltinResource,
  type ResourceConfig,
  type Version,
} from "../resource.ts";
import { isDue } from "./schedule.ts";
import { parseTimeSource, type TimeSource } from "./source.ts";
import { formatGoTimestamp, formatRfc3339, parseRfc3339 } from "./zoned-time.ts";

export interface TimeResourceOptions {
  /** The clock, in milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

export function timeResource(options: TimeResourceOptions = {}): BuiltinResource {
  const now = options.now ?? Date.now;
  const versionAt = (source: TimeSource, ms: number): Version => ({
    time: formatRfc3339(ms, source.location),
  });

  function check(rawSource: ResourceConfig, fromVersion: Version | undefined): Version[] {
    const source = parseTimeSource(rawSource);
    const current = now();
    const previous = fromVersion === undefined ? undefined : versionTime(fromVersion);
    if (previous === undefined && source.initialVersion) return [versionAt(source, current)];
    const versions: Version[] = previous === undefined ? [] : [{ time: previous.text }];
    if (isDue(source, previous?.ms, current)) versions.push(versionAt(source, current));
    return versions;
  }

  return {
    type: "time",
    check: (source, fromVersion) => settled(() => check(source, fromVersion)),

    async get(rawSource, version, _params, destDir) {
      const source = parseTimeSource(rawSource);
      const parsed = versionTime(version);
      const ms = parsed?.ms ?? now();
      const result: Version = parsed ? { time: parsed.text } : versionAt(source, ms);
      await mkdir(destDir, { recursive: true });
      // time-resource saves the request it was given; a time source holds no secret.
      await writeFile(
        path.join(destDir, "input"),
        `${JSON.stringify({ source: rawSource, version: result })}\n`,
      );
      await writeFile(path.join(destDir, "timestamp"), formatGoTimestamp(ms, parsed?.offsetMs ?? 0));
      await writeFile(path.join(destDir, "epoch"), String(Math.floor(ms / 1000)));
      return { version: result, metadata: [] };
    },

    put: (source) => settled(() => ({ version: versionAt(parseTimeSource(source), now()), metadata: [] })),
  };
}

function versionTime(version: Version): { text: string; ms: number; offsetMs: number } | undefined {
  const text = version["time"];
  if (text === undefined) return undefined;
  const parsed = parseRfc3339(text);
  if (!parsed) throw new ResourceError("InvalidVersion", `version time "${text}" is not an RFC 3339 time`);
  return { text, ...parsed };
}
