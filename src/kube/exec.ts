/**
 * `pods/exec` over the API server's WebSocket protocol `v5.channel.k8s.io`: a command in a running
 * container, its stdin fed from a stream (then closed, which v5 can say), its stdout into a sink,
 * its stderr kept for the error, and its exit code read from the Status on the error channel.
 */
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { MessageEvent, WebSocket } from "undici";
import type { KubeClient } from "./client.ts";

export interface ExecOptions {
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
  signal?: AbortSignal | undefined;
}

export interface ExecResult {
  exitCode: number;
  stderr: string;
}

/** The exec could not run the command, or the connection broke: not the command's own failure. */
export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecError";
  }
}

const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, close: 255 } as const;
/** Sending pauses while this much is queued on the socket. */
const sendHighWater = 8 * 1024 * 1024;

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

function exitCodeOf(status: ExecStatus, what: string): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  if (status.reason === "NonZeroExitCode" && cause?.message) return Number(cause.message);
  throw new ExecError(`${what}: ${status.message ?? "the command could not run"}`);
}

async function sendStdin(ws: WebSocket, stdin: Readable | undefined): Promise<void> {
  for await (const chunk of stdin ?? []) {
    while (ws.bufferedAmount > sendHighWater) await sleep(5);
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.of(channel.stdin), chunk as Buffer]));
  }
  if (ws.readyState === ws.OPEN) ws.send(Buffer.of(channel.close, channel.stdin));
}

export function execInPod(client: KubeClient, options: ExecOptions): Promise<ExecResult> {
  const { namespace, pod, container } = options;
  const what = `exec ${options.command.join(" ")} in ${namespace}/${pod} (${container})`;
  const query = new URLSearchParams({
    container,
    stdin: String(Boolean(options.stdin)),
    stdout: "true",
    stderr: "true",
  });
  for (const arg of options.command) query.append("command", arg);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query.toString()}`;
  const ws = client.websocket(path, undefined, ["v5.channel.k8s.io"]);
  ws.binaryType = "arraybuffer";
  const stderr: Buffer[] = [];
  const status: Buffer[] = [];
  return new Promise<ExecResult>((resolve, reject) => {
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      ws.close();
    };
    const onAbort = () => fail(new ExecError(`${what}: aborted`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    ws.onopen = () => {
      sendStdin(ws, options.stdin).catch((error: unknown) => fail(error as Error));
    };
    ws.onmessage = (event: MessageEvent) => {
      const data = Buffer.from(event.data as ArrayBuffer);
      const payload = data.subarray(1);
      if (payload.length === 0) return;
      if (data[0] === channel.stdout) options.stdout?.write(payload);
      else if (data[0] === channel.stderr) stderr.push(payload);
      else if (data[0] === channel.error) status.push(payload);
    };
    ws.onerror = () => {
      failure ??= new ExecError(
        `${what}: the API server refused or dropped the connection (is the container running, and may this identity create pods/exec?)`,
      );
    };
    ws.onclose = () => {
      options.signal?.removeEventListener("abort", onAbort);
      try {
        if (failure) throw failure;
        if (status.length === 0)
          throw new ExecError(`${what}: the connection closed before the command ended`);
        const exitCode = exitCodeOf(JSON.parse(Buffer.concat(status).toString("utf8")) as ExecStatus, what);
        resolve({ exitCode, stderr: Buffer.concat(stderr).toString("utf8") });
      } catch (error) {
        reject(error instanceof Error ? error : new ExecError(String(error)));
      }
    };
  });
}
