/**
 * `sluice ci execute -c task.yml [-i name=dir]... [-o name=dir]... [--image NAME] [-p]`: fly's
 * execute. Without a target the task runs on this machine, in the sandbox a server's builds use
 * (its image pulled and unpacked once into `~/.cache/sluice`). With `-t TARGET` it runs on that
 * server as fly's does: the inputs are uploaded, `-j P/J` takes the others as the job's latest
 * build got them, the log streams here and `-o` outputs are downloaded when it ends. Inputs are
 * copied (a task never writes into your working copy). Exit status as fly's: 0 succeeded,
 * 1 failed, 2 errored, 3 aborted.
 */
import { cp, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Outcome } from "../../ci/build/index.ts";
import { DirectoryArtifacts } from "../../ci/engine/builds/directory-artifacts.ts";
import { readYaml } from "../../ci/pipeline/index.ts";
import type { TaskConfig } from "../../ci/pipeline/task-config.ts";
import { validatedTaskConfig } from "../../ci/steps/task-config.ts";
import { varsFromFlags, type FlagVars } from "../../ci/vars/flag-vars.ts";
import { interpolate } from "../../ci/vars/interpolate.ts";
import { SluiceError } from "../../common/errors.ts";
import { collectRepeated, usageError } from "../shared/flags.ts";
import { followBuild } from "./builds.ts";
import { addLocalWorkerFlags, withLocalWorker } from "./local-worker-flags.ts";
import { pipelineAnd, withSession } from "./session.ts";
import { addValueVarFlags } from "./var-flags.ts";

interface ExecuteFlags {
  config: string;
  input?: string[];
  output?: string[];
  inputsFrom?: string;
  image?: string;
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

/** The task config file's document, its ((vars)) from the flags filled in (others kept). */
async function taskDocument(file: string, vars: FlagVars): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(() => {
    throw usageError(`-c ${file}: cannot read the task config`);
  });
  const document = readYaml(text);
  if (!document.ok) throw new SluiceError(`${file}: ${document.errors.join("; ")}`);
  return interpolate(document.value, vars.source, { keepUndefined: true });
}

function checkedConfig(document: unknown, file: string): TaskConfig {
  try {
    return validatedTaskConfig(document, file);
  } catch (error) {
    throw new SluiceError((error as Error).message);
  }
}

/**
 * `-i` dirs, or the current directory when the task has one input and none was given (as fly
 * does; not with -j, whose job provides the inputs not given).
 */
function inputDirs(config: TaskConfig, given: Map<string, string>, fromJob: boolean): Map<string, string> {
  const inputs = config.inputs ?? [];
  if (given.size === 0 && inputs.length === 1 && !fromJob) return new Map([[inputs[0]!.name, process.cwd()]]);
  const unknown = [...given.keys()].filter((name) => !inputs.some((input) => input.name === name));
  if (unknown.length > 0)
    throw usageError(
      `unknown input ${unknown.join(", ")}: the task's inputs are ${inputs.map((i) => i.name).join(", ") || "none"}`,
    );
  return given;
}

async function execute(flags: ExecuteFlags, command: Command): Promise<void> {
  const vars = await varsFromFlags({
    vars: flags.var ?? [],
    yamlVars: flags.yamlVar ?? [],
    instanceVars: [],
    varFiles: flags.loadVarsFrom ?? [],
  });
  const document = await taskDocument(flags.config, vars);
  const config = checkedConfig(document, flags.config);
  const inputs = inputDirs(config, namedDirs(flags.input, "-i"), flags.inputsFrom !== undefined);
  const outputs = namedDirs(flags.output, "-o");
  if (flags.image !== undefined && !inputs.has(flags.image) && flags.inputsFrom === undefined)
    throw usageError(`--image ${flags.image}: not an input given with -i`);
  if (command.optsWithGlobals<{ target?: string }>().target !== undefined)
    return executeOnServer(command, { flags, document, inputs, outputs });
  if (flags.inputsFrom !== undefined)
    throw usageError("-j takes inputs from a server's job: name the server with -t TARGET");
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
      ...(flags.image !== undefined && { image: flags.image }),
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

interface ServerExecution {
  flags: ExecuteFlags;
  document: unknown;
  inputs: Map<string, string>;
  outputs: Map<string, string>;
}

async function executeOnServer(command: Command, run: ServerExecution): Promise<void> {
  const { flags } = run;
  const inputsFrom = flags.inputsFrom && pipelineAnd(flags.inputsFrom, "-j");
  await withSession(command, async ({ client, team, api }) => {
    const uploads: Record<string, string> = {};
    for (const [name, dir] of run.inputs) {
      process.stderr.write(`uploading ${name}\n`);
      uploads[name] = await client.uploadDirectory(team, dir);
    }
    const build = await client.startExecution(team, {
      config: run.document,
      inputs: uploads,
      ...(inputsFrom && { inputs_from: { pipeline: inputsFrom[0], job: inputsFrom[1] } }),
      ...(flags.image !== undefined && { image: flags.image }),
      privileged: flags.privileged,
    });
    process.stderr.write(`executing build ${build.id} at ${api}/builds/${build.id}\n`);
    await followBuild(client, build);
    for (const [name, dir] of run.outputs) {
      await mkdir(dir, { recursive: true });
      await client.downloadOutput(build.id, name, dir).then(
        () => process.stderr.write(`downloaded ${name} to ${dir}\n`),
        (error: unknown) => process.stderr.write(`${name} not downloaded: ${(error as Error).message}\n`),
      );
    }
  });
}

export function registerExecuteCommand(ci: Command): void {
  const command = ci
    .command("execute")
    .alias("e")
    .description(
      "run a one-off task (fly execute): on this machine in the sandbox CI builds use, or on the server of -t",
    )
    .requiredOption("-c, --config <file>", "the task config (YAML); its ((vars)) come from -v, -y and -l")
    .option(
      "-i, --input <name=dir>",
      "an input of the task, copied (uploaded with -t) from DIR (default: the current directory for a task with one input)",
      collectRepeated,
    )
    .option("-o, --output <name=dir>", "copy the output NAME to DIR when the task ends", collectRepeated)
    .option(
      "-j, --inputs-from <pipeline/job>",
      "with -t: the inputs not given with -i, as the job's latest build got them",
    )
    .option(
      "--image <input>",
      "run the task in the root filesystem of this input instead of its image_resource",
    );
  addLocalWorkerFlags(
    addValueVarFlags(command).option("-p, --privileged", "keep every capability in the container", false),
  ).action(execute);
}
