import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { writeRegistryConfig, type RegistryConfigOptions } from "../dev/registry.ts";

/** A real Distribution registry started by a unit test; stop it in `after()`. */
export interface TestRegistry {
  /** host:port, plain HTTP. */
  host: string;
  dir: string;
  stop(): Promise<void>;
  /** Stops the registry process but keeps its storage, as a crash or a rollout would. */
  kill(): Promise<void>;
  /** Starts the registry again on the same address with the same storage (after `kill`). */
  restart(): Promise<void>;
}

export type TestRegistryOptions = Pick<RegistryConfigOptions, "auth" | "notifications">;

const startTimeoutMs = 15_000;
const stopTimeoutMs = 5_000;

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-registry-"));
  const port = await freePort();
  const { command } = await writeRegistryConfig(dir, { host: "127.0.0.1", port, ...options });
  const host = `127.0.0.1:${port}`;
  const launch = async (): Promise<ChildProcess> => {
    const started = spawn(command[0], command.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    await waitUntilAnswering(host, started, keepTail(started)).catch(async (error: unknown) => {
      await terminate(started);
      throw error;
    });
    return started;
  };
  let child: ChildProcess | undefined;
  const kill = async () => {
    if (child) await terminate(child);
    child = undefined;
  };
  const stop = async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  const restart = async () => {
    await kill();
    child = await launch();
  };
  try {
    child = await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, dir, stop, kill, restart };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("could not pick a free port");
  return address.port;
}

/** The end of the registry's log, to explain a failed start; also records a failed spawn. */
function keepTail(child: ChildProcess): () => string {
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  child.on("error", (error) => {
    tail += `\n${error.message}`;
  });
  return () => tail;
}

/** Any HTTP answer from /v2/ (200, or 401 when auth is on) means the registry is serving. */
async function waitUntilAnswering(host: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (await answers(host)) return;
    if (!isRunning(child)) {
      throw new Error(`docker-registry stopped (exit ${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    await sleep(50);
  }
  throw new Error(`docker-registry did not answer on ${host} within ${startTimeoutMs}ms:\n${output()}`);
}

async function answers(host: string): Promise<boolean> {
  try {
    const response = await request(`http://${host}/v2/`, { reset: true, signal: AbortSignal.timeout(1000) });
    await response.body.dump();
    return true;
  } catch {
    return false;
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const stopped = await Promise.race([
    exited.then(() => true),
    sleep(stopTimeoutMs, undefined, { ref: false }).then(() => false),
  ]);
  if (!stopped) {
    child.kill("SIGKILL");
    await exited;
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}
