/**
 * `sluice ci execute -c task.yml [-i name=dir]... [-o name=dir]... [--image-mirror HOST=MIRROR]`:
 * fly's execute, on this machine — the task runs in the same sandbox a server's builds use (its
 * image pulled and unpacked once into `~/.cache/sluice`), its output streamed here. Inputs are
 * copied in (a task never writes into your working copy); outputs are copied out when it ends.
 * Exit status as fly's: 0 succeeded, 1 failed, 2 errored, 3 aborted.
 */
import { cp, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Outcome } from "../../ci/build/index.ts";
import { DirectoryArtifacts } from "../../ci/engine/builds/directory-artifacts.ts";
import { readYaml } from "../../ci/pipeline/index.ts";
import type { TaskConfig } from "../../ci/pipeline/task-config.ts";
import { validatedTaskConfig } from "../../ci/steps/task-config.ts";
import { varsFromFlags } from "../../ci/vars/flag-vars.ts";
import { SluiceError } from "../../common/errors.ts";
import { collectRepeated, usageError } from "../shared/flags.ts";
import { addLocalWorkerFlags, withLocalWorker } from "./local-worker-flags.ts";
import { addValueVarFlags } from "./var-flags.ts";

interface ExecuteFlags {
  config: string;
  input?: string[];
  output?: string[];
  var?: string[];
  yamlVar?: string[];
  loadVarsFrom?: string[];
  privileged: boolean;
  registryMirror?: string[];
  cacheDir?: string;
}

const exitCodes: Record<Outcome, number> = { succeeded: 0, failed: 1, errored: 2, aborted: 3 };

function namedDirs(values: readonly string[] | undefined, flag: string): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const value of values ?? []) {
    const equals = value.indexOf("=");
    if (equals <= 0) throw usageError(`${flag} ${JSON.stringify(value)}: expected NAME=DIR`);
    dirs.set(value.slice(0, equals), path.resolve(value.slice(equals + 1)));
  }
  return dirs;
}

async function taskConfig(file: string): Promise<TaskConfig> {
  const text = await readFile(file, "utf8").catch(() => {
    throw usageError(`-c ${file}: cannot read the task config`);
  });
  const document = readYaml(text);
  if (!document.ok) throw new SluiceError(`${file}: ${document.errors.join("; ")}`);
  try {
    return validatedTaskConfig(document.value, file);
  } catch (error) {
    throw new SluiceError((error as Error).message);
  }
}

/** `-i` dirs, or the current directory when the task has one input and none was given (as fly does). */
function inputDirs(config: TaskConfig, given: Map<string, string>): Map<string, string> {
  const inputs = config.inputs ?? [];
  if (given.size === 0 && inputs.length === 1) return new Map([[inputs[0]!.name, process.cwd()]]);
  const unknown = [...given.keys()].filter((name) => !inputs.some((input) => input.name === name));
  if (unknown.length > 0)
    throw usageError(
      `unknown input ${unknown.join(", ")}: the task's inputs are ${inputs.map((i) => i.name).join(", ") || "none"}`,
    );
  return given;
}

async function execute(flags: ExecuteFlags): Promise<void> {
  const config = await taskConfig(flags.config);
  const inputs = inputDirs(config, namedDirs(flags.input, "-i"));
  const outputs = namedDirs(flags.output, "-o");
  const vars = await varsFromFlags({
    vars: flags.var ?? [],
    yamlVars: flags.yamlVar ?? [],
    instanceVars: [],
    varFiles: flags.loadVarsFrom ?? [],
  });
  await withLocalWorker(flags, "sluice-execute-", async ({ worker, work, signal }) => {
    const artifacts = new DirectoryArtifacts(path.join(work, "artifacts"));
    for (const [name, dir] of inputs) {
      const copy = await artifacts.allocate(name);
      await cp(dir, copy, { recursive: true, verbatimSymlinks: true });
      artifacts.register(name, copy);
    }
    const { outcome } = await worker.runTask({
      name: "one-off",
      config,
      privileged: flags.privileged,
      artifacts,
      vars: vars.source,
      signal,
      onLine: (line, stream) => (stream === "stderr" ? process.stderr : process.stdout).write(`${line}\n`),
    });
    for (const [name, dir] of outputs) {
      const produced = artifacts.directory(name);
      if (produced === undefined) continue;
      await mkdir(dir, { recursive: true });
      await cp(produced, dir, { recursive: true, verbatimSymlinks: true });
    }
    process.stderr.write(`${outcome}\n`);
    process.exitCode = exitCodes[outcome];
  });
}

export function registerExecuteCommand(ci: Command): void {
  const command = ci
    .command("execute")
    .description("run a one-off task on this machine, in the sandbox CI builds use (fly execute)")
    .requiredOption("-c, --config <file>", "the task config (YAML); its ((vars)) come from -v, -y and -l")
    .option(
      "-i, --input <name=dir>",
      "an input of the task, copied from DIR (default: the current directory for a task with one input)",
      collectRepeated,
    )
    .option("-o, --output <name=dir>", "copy the output NAME to DIR when the task ends", collectRepeated);
  addLocalWorkerFlags(
    addValueVarFlags(command).option("-p, --privileged", "keep every capability in the container", false),
  ).action(execute);
}
