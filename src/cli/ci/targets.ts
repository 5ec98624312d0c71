/**
 * Saved targets: a name for a server URL, a team and a token, in fly's `~/.flyrc` format. Sluice
 * writes `~/.sluicerc` and reads it first; a target only `~/.flyrc` has is used as is, so people
 * who logged in with fly keep their targets.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "../shared/flags.ts";

const TargetToken = z.object({ type: z.string(), value: z.string() });

const Target = z.object({
  api: z.string(),
  team: z.string().default("main"),
  token: TargetToken.optional(),
  insecure: z.boolean().optional(),
  ca_cert: z.string().optional(),
});
export type Target = z.infer<typeof Target>;

const RcFile = z.object({ targets: z.record(z.string(), Target).nullish() });

export interface TargetFiles {
  /** Written by `login`; read first. */
  own: string;
  /** fly's file, read only. */
  fly: string;
}

export function defaultTargetFiles(home = os.homedir()): TargetFiles {
  return { own: path.join(home, ".sluicerc"), fly: path.join(home, ".flyrc") };
}

async function readTargets(file: string): Promise<Record<string, Target>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const result = RcFile.safeParse(parse(text) ?? {});
  if (!result.success) {
    const problem = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new SluiceError(`${file} is not a valid targets file: ${problem}`);
  }
  return result.data.targets ?? {};
}

/** The target named `name`; an error saying how to create it when neither file has it. */
export async function loadTarget(name: string | undefined, files: TargetFiles): Promise<Target> {
  if (!name) throw usageError("no target given", "pass -t TARGET (see `sluice ci login`)");
  const target = (await readTargets(files.own))[name] ?? (await readTargets(files.fly))[name];
  if (!target) {
    throw usageError(
      `unknown target: ${name}`,
      `log in first: sluice ci login -t ${name} -c URL [-n TEAM] [-u USER -p PASSWORD]`,
    );
  }
  return target;
}

/** Adds or replaces `name` in the own file, written atomically with owner-only permissions. */
export async function saveTarget(name: string, target: Target, files: TargetFiles): Promise<void> {
  const targets = { ...(await readTargets(files.own)), [name]: target };
  await mkdir(path.dirname(files.own), { recursive: true });
  const temporary = `${files.own}.${process.pid}.tmp`;
  await writeFile(temporary, stringify({ targets }), { mode: 0o600 });
  await rename(temporary, files.own);
}

/** All targets, the own file's winning over fly's of the same name. */
export async function listTargets(files: TargetFiles): Promise<Record<string, Target>> {
  return { ...(await readTargets(files.fly)), ...(await readTargets(files.own)) };
}
