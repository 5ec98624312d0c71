import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "../../src/common/toolchain.ts";

/** `sluice server` as a real process watching one namespace, with storage that survives restarts. */
export class ServerProcess {
  readonly storage: string;
  #child: ChildProcess | undefined;
  readonly #args: string[];

  private constructor(storage: string, args: string[]) {
    this.storage = storage;
    this.#args = args;
  }

  static async create(t: TestContext, kubeconfig: string, namespace: string): Promise<ServerProcess> {
    const storage = await mkdtemp(path.join(os.tmpdir(), "sluice-server-proc-"));
    const server = new ServerProcess(storage, [
      "server",
      "--kubeconfig",
      kubeconfig,
      "--watch-namespace",
      namespace,
      "--storage-path",
      storage,
      "--storage-addr",
      "127.0.0.1:0",
      "--health-addr",
      "127.0.0.1:0",
      "--http-addr",
      "127.0.0.1:0",
      "--receiver-addr",
      "127.0.0.1:0",
      "--log-level",
      "error",
    ]);
    t.after(() => server.kill("SIGTERM"));
    return server;
  }

  start(): void {
    this.#child = spawn(path.join(projectRoot, "bin/sluice"), this.#args, {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }

  /** Kills the server (SIGKILL simulates a crash) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}
