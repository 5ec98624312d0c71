/** The `semver` resource with its git driver, as concourse/semver-resource behaves. */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import {
  parseConfig,
  ResourceError,
  type BuiltinResource,
  type Version,
  type VersionResult,
} from "../resource.ts";
import { applyBump, bumpParamsSchema, hasBump } from "./bump.ts";
import { updateVersionFile, versionsSince } from "./git-version-file.ts";
import { parseSemverSource } from "./source.ts";
import { formatSemanticVersion, parseSemanticVersion, type SemanticVersion } from "./version.ts";

const putParamsSchema = bumpParamsSchema.extend({
  file: z.string().optional(),
  get_latest: z.boolean().optional(),
});

function result(version: SemanticVersion | string): VersionResult {
  const number = typeof version === "string" ? version : formatSemanticVersion(version);
  return { version: { number }, metadata: [{ name: "number", value: number }] };
}

function versionNumber(version: Version): SemanticVersion {
  const text = version["number"] ?? "";
  const parsed = parseSemanticVersion(text);
  if (!parsed)
    throw new ResourceError("InvalidVersion", `version number "${text}" is not a semantic version`);
  return parsed;
}

/** The version written in `file` under the build's inputs (its first word), as put's `file` param reads it. */
async function versionFromInputs(inputsDir: string, file: string): Promise<SemanticVersion> {
  const full = path.resolve(inputsDir, file);
  if (!full.startsWith(path.resolve(inputsDir) + path.sep)) {
    throw new ResourceError("InvalidConfig", `invalid params: file "${file}" is outside the build's inputs`);
  }
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: file "${file}" cannot be read from the build's inputs`,
    );
  }
  const word = text.trim().split(/\s+/)[0] ?? "";
  const parsed = parseSemanticVersion(word);
  if (!parsed) {
    throw new ResourceError(
      "InvalidVersion",
      `file "${file}" holds ${JSON.stringify(word.slice(0, 80))}, which is not a semantic version`,
    );
  }
  return parsed;
}

export const semverResource: BuiltinResource = {
  type: "semver",

  async check(rawSource, fromVersion, call = {}) {
    const source = parseSemverSource(rawSource);
    // semver-resource skips a cursor it cannot parse and answers the latest version.
    const cursor = parseSemanticVersion(fromVersion?.["number"] ?? "");
    const versions = await versionsSince(source, cursor, call.signal);
    return (versions.length > 0 ? versions : [source.initialVersion]).map((v) => ({
      number: formatSemanticVersion(v),
    }));
  },

  async get(_source, version, rawParams, destDir) {
    const params = parseConfig(bumpParamsSchema, rawParams, "params");
    const bumped = formatSemanticVersion(applyBump(versionNumber(version), params));
    await mkdir(destDir, { recursive: true });
    for (const name of ["number", "version"]) await writeFile(path.join(destDir, name), bumped);
    return result(version["number"] ?? bumped);
  },

  async put(rawSource, rawParams, inputsDir, call = {}) {
    const source = parseSemverSource(rawSource);
    const params = parseConfig(putParamsSchema, rawParams, "params");
    if (params.get_latest) {
      const versions = await versionsSince(source, undefined, call.signal);
      return result(versions[0] ?? source.initialVersion);
    }
    if (params.file !== undefined && params.file !== "") {
      const version = await versionFromInputs(inputsDir, params.file);
      return result(await updateVersionFile(source, () => version, call.signal));
    }
    if (!hasBump(params)) {
      throw new ResourceError(
        "InvalidConfig",
        "invalid params: put needs file, bump, pre or build (no version bump specified)",
      );
    }
    const bumped = await updateVersionFile(
      source,
      (current) => applyBump(current ?? source.initialVersion, params),
      call.signal,
    );
    return result(bumped);
  },
};
