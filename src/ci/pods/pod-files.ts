/**
 * Directories into and out of a running container through `pods/exec`, as gzipped tars: only
 * the API server is needed between the worker and the node, as for `kubectl cp`.
 */
import { PassThrough } from "node:stream";
import type { KubeClient } from "../../kube/client.ts";
import { execInPod, ExecError } from "../../kube/exec.ts";
import { packDirectory, unpackInto } from "../executions/tar-stream.ts";

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** Runs a command in the container; a non-zero exit is an ExecError with its stderr. */
export async function execChecked(
  client: KubeClient,
  target: ContainerRef,
  command: string[],
  streams: Pick<Parameters<typeof execInPod>[1], "stdin" | "stdout" | "signal"> = {},
): Promise<void> {
  const { exitCode, stderr } = await execInPod(client, { ...target, command, ...streams });
  if (exitCode !== 0)
    throw new ExecError(
      `${command.join(" ")} in ${target.container} exited with ${exitCode}: ${stderr.trim()}`,
    );
}

/** Copies `dir`'s contents into the existing directory `containerPath`. */
export async function copyInto(
  client: KubeClient,
  target: ContainerRef,
  dir: string,
  containerPath: string,
  signal: AbortSignal,
): Promise<void> {
  const packed = packDirectory(dir);
  const command = ["tar", "-x", "-z", "-C", containerPath];
  const copied = execChecked(client, target, command, { stdin: packed.stream, signal }).catch(
    (error: unknown) => {
      packed.stream.destroy(); // tar must not wait forever on a pipe nobody reads
      throw error;
    },
  );
  await Promise.all([copied, packed.done]);
}

/** Copies the contents of `containerPath` into the existing directory `dir`. */
export async function copyFrom(
  client: KubeClient,
  target: ContainerRef,
  containerPath: string,
  dir: string,
  signal: AbortSignal,
): Promise<void> {
  const stream = new PassThrough();
  const command = ["tar", "-c", "-z", "-C", containerPath, "."];
  const copied = execChecked(client, target, command, { stdout: stream, signal }).finally(() => stream.end());
  const [read, written] = await Promise.allSettled([copied, unpackInto(dir, stream)]);
  // the container's side says why first; a half-read archive is only its consequence
  if (read.status === "rejected") throw read.reason;
  if (written.status === "rejected") throw written.reason;
}
