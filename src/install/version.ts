/** The version of this Sluice, from package.json. */
import { readFile } from "node:fs/promises";
import { z } from "zod";

const PackageJson = z.looseObject({ version: z.string() });

let cached: Promise<string> | undefined;

export function sluiceVersion(): Promise<string> {
  cached ??= readFile(new URL("../../package.json", import.meta.url), "utf8").then(
    (text) => PackageJson.parse(JSON.parse(text)).version,
  );
  return cached;
}
