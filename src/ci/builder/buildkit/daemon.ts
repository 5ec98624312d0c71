/**
 * The buildkitd a server (or one CLI run) shares: started on first use as a child process on a
 * private unix socket, its cache under the owner's state directory, stopped with its owner.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemon, type Daemon } from "../../../process/daemon.ts";
import type { RegistryMirrors } from "../../../oci/mirrors.ts";
import { renderDaemonConfig } from "./daemon-config.ts";
import { recordDaemon, stopLeftoverDaemon } from "./leftover-daemon.ts";

export interface BuildkitDaemonOptions {
  buildkitd: string;
  /** Holds the build cache (`root/`); survives restarts so later builds hit it. */
  stateDir: string;
  mirrors: RegistryMirrors;
  insecureRegistries?: readonly string[] | undefined;
  /** Bound of the daemon's build cache on disk (default 10 GiB). */
  maxCacheBytes?: number | undefined;
  /** The daemon's own log lines. */
  log?: ((line: string) => void) | undefined;
  startTimeoutMs?: number | undefined;
}

const defaultMaxCacheBytes = 10 * 1024 ** 3;
// runc lives in /usr/sbin on Debian; buildkitd finds it on PATH.
const daemonPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const canConnect = (socket: string): Promise<boolean> =>
  new Promise((resolve) => {
    const connection = net.connect(socket);
    connection.once("connect", () => {
      connection.destroy();
      resolve(true);
    });
    connection.once("error", () => resolve(false));
  });

export class BuildkitDaemon {
  readonly #options: BuildkitDaemonOptions;
  #starting: Promise<{ daemon: Daemon; address: string; socketDir: string }> | undefined;

  constructor(options: BuildkitDaemonOptions) {
    this.#options = options;
  }

  /** The daemon's `unix://` address, starting it (once, for every caller) when it is not running. */
  async address(): Promise<string> {
    for (;;) {
      const starting = (this.#starting ??= this.#start());
      const forget = () => {
        if (this.#starting === starting) this.#starting = undefined;
      };
      const started = await starting.catch((error: unknown) => {
        forget();
        throw error;
      });
      if (started.daemon.running()) return started.address;
      forget(); // it crashed since: start another
    }
  }

  async close(): Promise<void> {
    const starting = this.#starting;
    this.#starting = undefined;
    const started = await starting?.catch(() => undefined);
    if (!started) return;
    await started.daemon.stop();
    await rm(started.socketDir, { recursive: true, force: true });
  }

  async #start(): Promise<{ daemon: Daemon; address: string; socketDir: string }> {
    const options = this.#options;
    // A unix socket path is limited to 107 bytes: the socket lives in a short private directory.
    const socketDir = await mkdtemp(path.join(os.tmpdir(), "sluice-buildkit-"));
    const socket = path.join(socketDir, "buildkitd.sock");
    const address = `unix://${socket}`;
    await mkdir(options.stateDir, { recursive: true });
    const configFile = path.join(options.stateDir, "buildkitd.toml");
    await writeFile(
      configFile,
      renderDaemonConfig({
        root: path.join(options.stateDir, "root"),
        address,
        mirrors: options.mirrors,
        insecureRegistries: options.insecureRegistries,
        maxCacheBytes: options.maxCacheBytes ?? defaultMaxCacheBytes,
      }),
    );
    await stopLeftoverDaemon(options.stateDir, configFile);
    const daemon = await startDaemon(options.buildkitd, ["--config", configFile], {
      env: { PATH: daemonPath, HOME: options.stateDir },
      onLine: options.log,
    });
    await recordDaemon(options.stateDir, daemon.pid);
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    while (!(await canConnect(socket))) {
      if (!daemon.running() || Date.now() > deadline) {
        await daemon.stop(0);
        await rm(socketDir, { recursive: true, force: true });
        const why = daemon.running() ? "did not open its socket in time" : await daemon.exited;
        throw new Error(`the image builder (buildkitd) ${why}:\n${daemon.tail()}`);
      }
      await sleep(50);
    }
    return { daemon, address, socketDir };
  }
}
