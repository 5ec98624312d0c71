/**
 * A GitLab job as a task of the engine: the job's image, the project checkout as its one input
 * (the working directory, so `$CI_PROJECT_DIR` is where the job starts), predefined and project
 * variables in its environment, and one shell script as the runner writes it — the file's
 * variables exported (expanded by the shell), each command of `before_script` + `script` echoed
 * then run until one fails, `after_script` in a new shell with `CI_JOB_STATUS` whatever happened.
 * The shell is bash when the image has it, else sh, as GitLab's runner picks.
 */
import type { TaskConfig } from "../../pipeline/task-config.ts";
import { imageSource } from "../image-reference.ts";
import type { GitlabImage, GitlabVariable } from "./model.ts";
import { expandVariables, exportLines } from "./variables.ts";
import { shellQuote } from "../../../common/shell-quote.ts";

export const PROJECT_INPUT = "project";

/** `$ command` in green, as the runner echoes it; a multi-line command shows its first line. */
function echo(command: string): string {
  const lines = command.split("\n");
  const shown = lines.length > 1 ? `${lines[0]} # collapsed multi-line command` : command;
  return `printf '\\033[32;1m$ %s\\033[0;m\\n' ${shellQuote(shown)}`;
}

function section(commands: readonly string[]): string[] {
  return commands.flatMap((command) => [echo(command), command]);
}

export interface JobScript {
  variables: Readonly<Record<string, GitlabVariable>>;
  beforeScript: readonly string[];
  script: readonly string[];
  afterScript: readonly string[];
}

export function jobShellScript(job: JobScript): string {
  const lines = [
    'export CI_PROJECT_DIR="$PWD"',
    'export CI_BUILDS_DIR="${PWD%/*}"',
    ...exportLines(job.variables),
    "(",
    "set -e",
    "set -o pipefail 2>/dev/null || :",
    ...section([...job.beforeScript, ...job.script]),
    ")",
    "sluice_status=$?",
  ];
  if (job.afterScript.length > 0) {
    lines.push(
      "(",
      'cd "$CI_PROJECT_DIR"',
      'if [ "$sluice_status" -eq 0 ]; then export CI_JOB_STATUS=success; else export CI_JOB_STATUS=failed; fi',
      "printf 'Running after_script\\n'",
      "set -e",
      ...section(job.afterScript),
      ")",
      "[ $? -eq 0 ] || printf 'WARNING: after_script failed (the job keeps its status)\\n' >&2",
    );
  }
  lines.push('exit "$sluice_status"');
  return lines.join("\n");
}

const pickShell =
  'for s in /usr/local/bin/bash /usr/bin/bash /bin/bash; do [ -x "$s" ] && exec "$s" -c "$1"; done; exec /bin/sh -c "$1"';

export interface JobTaskInput {
  image: GitlabImage;
  /** Variables for the image name (`image: $CI_REGISTRY/app:$TAG`). */
  imageVariables: Readonly<Record<string, string>>;
  /** The container's environment: predefined and project variables. */
  env: Readonly<Record<string, string>>;
  script: string;
}

export function jobTaskConfig(input: JobTaskInput): TaskConfig {
  const entrypoint = (input.image.entrypoint ?? []).filter((part) => part !== "");
  const shell = ["/bin/sh", "-c", pickShell, "gitlab-job", input.script];
  const argv = [...entrypoint, ...shell];
  return {
    platform: "linux",
    image_resource: {
      type: "registry-image",
      ...imageSource(expandVariables(input.image.name, input.imageVariables)),
    },
    inputs: [{ name: PROJECT_INPUT, path: "." }],
    params: { ...input.env },
    run: { path: argv[0]!, args: argv.slice(1) },
  };
}
