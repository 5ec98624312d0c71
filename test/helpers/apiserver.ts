import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { TestContext } from "node:test";
import { freePort } from "../../src/dev/processes.ts";
import { readState } from "../../src/dev/state.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { loadKubeconfig, type ClusterAccess } from "../../src/kube/kubeconfig.ts";
import { testEnv, testEnvDir } from "./env.ts";
import { waitFor } from "./wait.ts";

/** The argv the environment's kube-apiserver runs with, read from /proc. */
async function envApiServerArgv(): Promise<string[]> {
  const state = await readState(testEnvDir);
  const apiserver = state?.processes.find((p) => p.name === "kube-apiserver");
  if (!apiserver) throw new Error(`no kube-apiserver in ${testEnvDir}/state.json`);
  const cmdline = await readFile(`/proc/${apiserver.pid}/cmdline`, "utf8");
  return cmdline.split("\0").filter((arg) => arg !== "");
}

/**
 * A second kube-apiserver process of the test environment, on its own port and sharing its etcd,
 * that a test may kill and start again without disturbing the tests that use the main one. It
 * is a real restart: the new process has a fresh watch cache, and every watch on it is cut.
 */
export interface PrivateApiServer {
  /** connection details (admin identity) pointing at this API server */
  access: ClusterAccess;
  /** kills the process (SIGKILL, as in a crash) and waits until it is gone */
  kill(): Promise<void>;
  /** starts it again with the same argv and waits until it is ready */
  start(): Promise<void>;
}

export async function startPrivateApiServer(t: TestContext): Promise<PrivateApiServer> {
  const port = await freePort();
  const argv = (await envApiServerArgv()).map((arg) =>
    arg.startsWith("--secure-port=") ? `--secure-port=${port}` : arg,
  );
  const base = await loadKubeconfig((await testEnv()).kubeconfig);
  const access: ClusterAccess = { ...base, server: `https://127.0.0.1:${port}` };
  const log = path.join(testEnvDir, "logs", `kube-apiserver-private-${port}.log`);
  let child: ChildProcess | undefined;
  const killNow = () => child?.kill("SIGKILL");
  process.once("exit", killNow);

  const server: PrivateApiServer = {
    access,
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGKILL");
      await exited;
      child = undefined;
    },
    async start() {
      child = launch(argv, log);
      await waitReady(access, child, log);
    },
  };
  t.after(async () => {
    await server.kill();
    process.off("exit", killNow);
  });
  await server.start();
  return server;
}

function launch(argv: string[], log: string): ChildProcess {
  const fd = openSync(log, "a");
  try {
    return spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd);
  }
}

async function waitReady(access: ClusterAccess, child: ChildProcess, log: string): Promise<void> {
  const client = new KubeClient(access);
  try {
    await waitFor(
      `the private kube-apiserver to be ready (log: ${log})`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`kube-apiserver exited with ${child.exitCode}; see ${log}`);
        return (await client.request<string>("GET", "/readyz", { timeoutMs: 2000 })) === "ok"
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } finally {
    await client.close();
  }
}

/**
 * A TCP proxy in front of an API server whose connections a test can cut (a network failure in
 * the middle of a watch) or freeze (a stalled stream: nothing arrives, nothing closes).
 */
export interface CuttableProxy {
  access: ClusterAccess;
  /** destroys every open connection */
  cut(): number;
  /**
   * stops forwarding the server's bytes on the connection opened last (a client's newest stream),
   * leaving it open; returns how many connections were open
   */
  freezeLatest(): number;
  readonly openConnections: number;
}

export async function startCuttableProxy(t: TestContext, target: ClusterAccess): Promise<CuttableProxy> {
  const upstream = new URL(target.server);
  const sockets = new Set<{ client: net.Socket; server: net.Socket }>();
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(upstream.port), upstream.hostname);
    const pair = { client, server };
    sockets.add(pair);
    client.pipe(server);
    server.pipe(client);
    const close = () => {
      sockets.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", close).on("close", close);
    server.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as net.AddressInfo;
  t.after(async () => {
    for (const { client, server } of sockets) {
      client.destroy();
      server.destroy();
    }
    await new Promise((resolve) => proxy.close(resolve));
  });
  return {
    access: { ...target, server: `https://127.0.0.1:${port}` },
    cut() {
      const n = sockets.size;
      for (const { client, server } of sockets) {
        client.destroy();
        server.destroy();
      }
      return n;
    },
    freezeLatest() {
      const latest = [...sockets].at(-1);
      latest?.server.unpipe(latest.client);
      return sockets.size;
    },
    get openConnections() {
      return sockets.size;
    },
  };
}
