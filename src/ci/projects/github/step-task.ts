/**
 * A `run:` step as a task: the job's workspace, home and runner directories mounted beside each
 * other, the step's script in `runner/step.sh` run by its shell (`bash -e {0}` when unspecified
 * and bash exists, else `sh -e {0}`; `bash`, `sh`, `python` or a custom `cmd {0}`), the
 * `GITHUB_*` files in `runner/`, `GITHUB_PATH` entries put before `PATH`. The runner files are
 * read back after each step (`GITHUB_ENV`, `GITHUB_OUTPUT`, heredoc form included).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TaskConfig } from "../../pipeline/task-config.ts";
import { imageSource } from "../image-reference.ts";
import { shellQuote } from "../../../common/shell-quote.ts";

export const JOB_DIRS = ["workspace", "home", "runner"] as const;

/** The command line of a shell for a script file (`f`, a shell word), as GitHub's `shell:` names them. */
export function shellCommand(shell: string | undefined, f: string): string {
  switch (shell) {
    case undefined:
      return `if command -v bash >/dev/null 2>&1; then exec bash -e ${f}; else exec sh -e ${f}; fi`;
    case "bash":
      return `exec bash --noprofile --norc -eo pipefail ${f}`;
    case "sh":
      return `exec sh -e ${f}`;
    case "python":
      return `exec python3 ${f} || exec python ${f}`;
    default:
      if (!shell.includes("{0}"))
        throw new Error(`shell ${JSON.stringify(shell)}: expected bash, sh, python or a command with {0}`);
      return `exec ${shell.replaceAll("{0}", f)}`;
  }
}

export interface StepTaskInput {
  image: string;
  env: Readonly<Record<string, string>>;
  shell: string | undefined;
  /** Relative to the workspace. */
  workingDirectory: string;
}

export function stepTaskConfig(input: StepTaskInput): TaskConfig {
  const wrapper = [
    'root="$PWD"',
    'export GITHUB_WORKSPACE="$root/workspace" HOME="$root/home" RUNNER_TEMP="$root/runner/tmp"',
    'export GITHUB_ENV="$root/runner/env" GITHUB_OUTPUT="$root/runner/output" GITHUB_PATH="$root/runner/path"',
    'export GITHUB_STEP_SUMMARY="$root/runner/summary"',
    'mkdir -p "$RUNNER_TEMP"',
    'if [ -f "$GITHUB_PATH" ]; then while IFS= read -r entry; do [ -n "$entry" ] && PATH="$entry:$PATH"; done < "$GITHUB_PATH"; export PATH; fi',
    `cd "$GITHUB_WORKSPACE"/${shellQuote(input.workingDirectory)} || exit 1`,
    shellCommand(input.shell, '"$root/runner/step.sh"'),
  ].join("\n");
  return {
    platform: "linux",
    image_resource: { type: "registry-image", ...imageSource(input.image) },
    inputs: JOB_DIRS.map((name) => ({ name, path: name })),
    params: { ...input.env },
    run: { path: "/bin/sh", args: ["-c", wrapper] },
  };
}

export async function writeStepScript(runnerDir: string, script: string): Promise<void> {
  await writeFile(path.join(runnerDir, "step.sh"), `${script}\n`);
  await writeFile(path.join(runnerDir, "output"), "");
  await writeFile(path.join(runnerDir, "env"), "");
}

/** `NAME=value` lines and `NAME<<DELIM` … `DELIM` blocks. */
export function parseRunnerFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`${heredoc[1]}: the delimiter ${heredoc[2]} never comes`);
      values[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const equals = line.indexOf("=");
    if (equals > 0) values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

export async function readRunnerFile(
  runnerDir: string,
  name: "env" | "output",
): Promise<Record<string, string>> {
  return parseRunnerFile(await readFile(path.join(runnerDir, name), "utf8").catch(() => ""));
}
