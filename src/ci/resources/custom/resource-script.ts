/**
 * One run of a resource type's script — `/opt/resource/check`, `in` or `out` — in a container of
 * the type's image, as Concourse runs it: the request as JSON on standard input, the answer as
 * JSON on standard output, standard error into the step's log. The answer is bounded: a script
 * that keeps writing is stopped.
 */
import { randomBytes } from "node:crypto";
import type { BuildIdentity } from "../../build/context.ts";
import type { ContainerMount } from "../../sandbox/container/run-container.ts";
import { SandboxStopped, type Sandbox } from "../../sandbox/container/sandbox.ts";
import { containerEnv } from "../../sandbox/container/container-env.ts";
import { missingCommand } from "../../sandbox/container/image-path.ts";
import { resolveImageUser } from "../../sandbox/container/image-user.ts";
import type { RootfsLease } from "../../sandbox/image.ts";
import { ProcessError } from "../../../process/run.ts";
import { ResourceError } from "../resource.ts";

export interface ResourceScriptRun {
  /** The resource type's name, for messages. */
  typeName: string;
  lease: RootfsLease;
  script: "check" | "in" | "out";
  /** The directory argument of `in` and `out` (their working directory too). */
  dir?: { path: string; mounts: ContainerMount[] } | undefined;
  request: unknown;
  env: Readonly<Record<string, string>>;
  privileged: boolean;
  sandbox: Sandbox;
  /** The build a get or put runs for; none for a check. */
  build?: BuildIdentity | undefined;
  signal: AbortSignal;
  timeoutMs: number;
  log?: ((line: string) => void) | undefined;
}

const maxAnswerBytes = 4 * 1024 * 1024;
const stderrLinesKept = 10;

/** Runs the script; answers its standard output parsed as JSON, or throws a ResourceError that says why not. */
export async function runResourceScript(run: ResourceScriptRun): Promise<unknown> {
  const scriptPath = `/opt/resource/${run.script}`;
  const what = `resource type ${run.typeName}: ${scriptPath}`;
  const user = await resolveImageUser(run.lease.rootfs, run.lease.config.user);
  const env = containerEnv(run.lease.config.env, user, run.env);
  const missing = await missingCommand(run.lease.rootfs, scriptPath, env);
  if (missing) {
    throw new ResourceError(
      "InvalidConfig",
      `resource type ${run.typeName}: ${missing}, so it is not a resource type image`,
    );
  }
  const stdout: string[] = [];
  let stdoutBytes = 0;
  const stderr: string[] = [];
  const tooMuch = new AbortController();
  const { exitCode } = await run.sandbox
    .run({
      rootfs: run.lease.rootfs,
      owner: run.build && {
        team: run.build.team,
        buildId: run.build.buildId,
        pipeline: run.build.pipeline?.name,
        job: run.build.job?.name,
        step: `${run.script} of resource type ${run.typeName}`,
      },
      mounts: run.dir?.mounts ?? [],
      env,
      user,
      cwd: run.dir?.path ?? "/tmp",
      argv: run.dir ? [scriptPath, run.dir.path] : [scriptPath],
      privileged: run.privileged,
      hostname: randomBytes(6).toString("hex"),
      signal: AbortSignal.any([run.signal, tooMuch.signal]),
      timeoutMs: run.timeoutMs,
      input: JSON.stringify(run.request),
      onLine: ({ stream, line }) => {
        if (stream === "stderr") {
          run.log?.(line);
          stderr.push(line);
          if (stderr.length > stderrLinesKept) stderr.shift();
          return;
        }
        stdoutBytes += line.length + 1;
        if (stdoutBytes > maxAnswerBytes) tooMuch.abort();
        else stdout.push(line);
      },
    })
    .catch((error: unknown) => {
      if (tooMuch.signal.aborted && !run.signal.aborted) {
        throw new ResourceError(
          "Failed",
          `${what} wrote more than ${maxAnswerBytes / 1024 / 1024} MiB to standard output`,
        );
      }
      if (error instanceof SandboxStopped) throw new ResourceError("Failed", `${what}: ${error.message}`);
      if (error instanceof ProcessError && error.failure === "timeout") {
        throw new ResourceError("Failed", `${what} timed out after ${Math.round(run.timeoutMs / 1000)} s`);
      }
      throw error;
    });
  const tail = stderr.length > 0 ? `: ${stderr.join("\n")}` : "";
  if (exitCode !== 0) throw new ResourceError("Failed", `${what} exited with status ${exitCode}${tail}`);
  const text = stdout.join("\n");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new ResourceError(
      "Failed",
      `${what} did not answer JSON on standard output: ${JSON.stringify(shown)}`,
    );
  }
}
