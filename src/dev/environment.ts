import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SluiceError } from "../cli/errors.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeconfig, renderKubeconfig } from "../kube/kubeconfig.ts";
import {
  apiServerArgs, controllerManagerArgs, etcdArgs, fakeNode, kwokArgs, loopback, schedulerArgs, type DevPorts,
} from "./components.ts";
import { envFilePath, readDevEnv, writeDevEnv, type DevEnv } from "./env-file.ts";
import { ensurePki, type DevPki, type Identity } from "./pki.ts";
import { freePort, isRunning, startDetached, stopProcess, waitUntil, type ManagedProcess } from "./processes.ts";
import { writeRegistryConfig } from "./registry.ts";
import { readState, removeState, writeState } from "./state.ts";
import { projectRoot, systemBinary, upstreamBinary } from "./toolchain.ts";
import { nodesReady } from "./nodes.ts";

export interface UpOptions {
  dir: string;
  nodes: number;
  registryAuth?: boolean;
  progress?: (message: string) => void;
}

export type UpResult = { env: DevEnv; alreadyRunning: boolean };

/** Starts (or reports) the environment in `dir`: all components or none. */
export async function devUp(options: UpOptions): Promise<UpResult> {
  const dir = path.resolve(options.dir);
  const report = options.progress ?? (() => {});
  const existing = await readDevEnv(dir);
  const state = await readState(dir);
  if (existing && state && (await allRunning(state.processes))) return { env: existing, alreadyRunning: true };
  if (state) {
    report("a previous environment is partly down; stopping what remains and starting afresh");
    await devDown(dir);
  }
  return { env: await startFresh(dir, options, report), alreadyRunning: false };
}

async function allRunning(processes: ManagedProcess[]): Promise<boolean> {
  return (await Promise.all(processes.map(isRunning))).every(Boolean);
}

/** Stops every process the environment started, newest first; a no-op when nothing runs. */
export async function devDown(dir: string, options: { purge?: boolean } = {}): Promise<ManagedProcess[]> {
  const resolved = path.resolve(dir);
  const state = await readState(resolved);
  const stopped = state ? [...state.processes].reverse() : [];
  for (const p of stopped) await stopProcess(p);
  await removeState(resolved);
  await rm(envFilePath(resolved), { force: true });
  if (options.purge) await rm(resolved, { recursive: true, force: true });
  return stopped;
}

export interface ComponentStatus {
  name: string;
  pid: number;
  running: boolean;
  log: string;
}

export async function devStatus(dir: string): Promise<{ env: DevEnv | undefined; components: ComponentStatus[] }> {
  const resolved = path.resolve(dir);
  const state = await readState(resolved);
  const components = await Promise.all(
    (state?.processes ?? []).map(async (p) => ({ name: p.name, pid: p.pid, running: await isRunning(p), log: p.log })),
  );
  return { env: await readDevEnv(resolved), components };
}

class Launch {
  readonly processes: ManagedProcess[] = [];
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  async start(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ManagedProcess> {
    const p = await startDetached(name, command, args, { log: path.join(this.dir, "logs", `${name}.log`), ...(env ? { env } : {}) });
    this.processes.push(p);
    await writeState(this.dir, { processes: this.processes });
    return p;
  }
}

async function step<T>(launch: Launch, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    for (const p of [...launch.processes].reverse()) await stopProcess(p);
    await removeState(launch.dir);
    if (err instanceof SluiceError) throw err;
    throw new SluiceError(`dev up failed at step "${name}": ${(err as Error).message}`, {
      hint: `nothing was left running; the logs are in ${path.join(launch.dir, "logs")}`,
      cause: err,
    });
  }
}

async function secretFile(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const value = randomBytes(18).toString("base64url");
    await writeFile(file, value + "\n", { mode: 0o600 });
    return value;
  }
}

async function writeKubeconfig(dir: string, name: string, server: string, pki: DevPki, id: Identity, user: string) {
  const file = path.join(dir, name);
  await writeFile(file, renderKubeconfig({ server, ca: pki.ca, cert: id.cert, key: id.key, user }), { mode: 0o600 });
  return file;
}

async function choosePorts(): Promise<DevPorts> {
  const [etcdClient, etcdPeer, apiServer, registry, git] = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  return { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiServer: apiServer!, registry: registry!, git: git! };
}

const httpAnswers = (url: string, ok: (status: number) => boolean) => async () =>
  ok((await fetch(url, { signal: AbortSignal.timeout(2000) })).status);

async function startFresh(dir: string, options: UpOptions, report: (m: string) => void): Promise<DevEnv> {
  await mkdir(path.join(dir, "logs"), { recursive: true });
  const launch = new Launch(dir);
  const bins = await step(launch, "find binaries", async () => ({
    etcd: await upstreamBinary("etcd"),
    apiserver: await upstreamBinary("kube-apiserver"),
    cm: await upstreamBinary("kube-controller-manager"),
    scheduler: await upstreamBinary("kube-scheduler"),
    kwok: await upstreamBinary("kwok"),
    kubectl: await upstreamBinary("kubectl"),
    kustomize: await upstreamBinary("kustomize"),
    helm: await upstreamBinary("helm"),
    registry: await systemBinary("docker-registry"),
    git: await systemBinary("git"),
  }));
  const pki = await step(launch, "create certificates", () => ensurePki(path.join(dir, "pki")));
  const ports = await choosePorts();
  const server = `https://${loopback}:${ports.apiServer}`;
  const gitPassword = await secretFile(path.join(dir, "git-password"));
  const registryPassword = options.registryAuth ? await secretFile(path.join(dir, "registry-password")) : undefined;

  report("starting etcd, registry and git server");
  const etcd = await step(launch, "start etcd", () => launch.start("etcd", bins.etcd, etcdArgs(dir, ports)));
  const registry = await step(launch, "start registry", async () => {
    const auth = registryPassword ? { username: "sluice", password: registryPassword } : undefined;
    const cfg = await writeRegistryConfig(path.join(dir, "registry"), { host: loopback, port: ports.registry, ...(auth ? { auth } : {}) });
    return launch.start("registry", bins.registry, cfg.command.slice(1));
  });
  const gitRoot = path.join(dir, "git");
  const gitUrl = `http://${loopback}:${ports.git}`;
  const git = await step(launch, "start git server", () =>
    launch.start("git-server", process.execPath, [
      "--disable-warning=ExperimentalWarning", path.join(projectRoot, "src/cli/main.ts"), "dev", "git-server",
      "--root", gitRoot, "--host", loopback, "--port", String(ports.git),
      "--username", "sluice", "--password-file", path.join(dir, "git-password"),
    ]),
  );
  await step(launch, "wait for etcd", () =>
    waitUntil("etcd", httpAnswers(`http://${loopback}:${ports.etcdClient}/health`, (s) => s === 200), { timeoutMs: 30_000, process: etcd }),
  );

  report("starting kube-apiserver");
  const apiserver = await step(launch, "start kube-apiserver", () => launch.start("kube-apiserver", bins.apiserver, apiServerArgs(pki, ports)));
  const kubeconfig = await writeKubeconfig(dir, "kubeconfig", server, pki, pki.admin, "sluice-admin");
  const client = new KubeClient(await loadKubeconfig(kubeconfig));
  try {
    await step(launch, "wait for kube-apiserver", () =>
      waitUntil("kube-apiserver /readyz", async () => (await client.request<string>("GET", "/readyz")) === "ok", {
        timeoutMs: 60_000,
        process: apiserver,
      }),
    );
    report("starting controller-manager, scheduler and kwok");
    const cmConfig = await writeKubeconfig(dir, "kubeconfig-controller-manager", server, pki, pki.controllerManager, "controller-manager");
    const schedConfig = await writeKubeconfig(dir, "kubeconfig-scheduler", server, pki, pki.scheduler, "scheduler");
    await step(launch, "start kube-controller-manager", () => launch.start("kube-controller-manager", bins.cm, controllerManagerArgs(pki, cmConfig)));
    await step(launch, "start kube-scheduler", () => launch.start("kube-scheduler", bins.scheduler, schedulerArgs(schedConfig)));
    const kwok = await step(launch, "start kwok", () => launch.start("kwok", bins.kwok, kwokArgs(kubeconfig)));
    await step(launch, "create nodes", async () => {
      for (let i = 0; i < options.nodes; i++) await client.apply(fakeNode(`kwok-node-${i}`), { fieldManager: "sluice-dev", force: true });
    });
    await step(launch, "wait for registry", () =>
      waitUntil("registry /v2/", httpAnswers(`http://${loopback}:${ports.registry}/v2/`, (s) => s === 200 || s === 401), { timeoutMs: 30_000, process: registry }),
    );
    await step(launch, "wait for git server", () =>
      waitUntil("git server", httpAnswers(`${gitUrl}/`, (s) => s === 401), { timeoutMs: 30_000, process: git }),
    );
    report(`waiting for ${options.nodes} nodes to be Ready`);
    await step(launch, "wait for nodes", () => waitUntil("nodes Ready", () => nodesReady(client, options.nodes), { timeoutMs: 60_000, process: kwok }));
  } finally {
    await client.close();
  }
  const env: DevEnv = {
    dir, kubeconfig, apiServer: server, registry: `${loopback}:${ports.registry}`,
    ...(registryPassword ? { registryUsername: "sluice", registryPassword } : {}),
    gitUrl, gitUsername: "sluice", gitPassword, gitRoot,
    kustomize: bins.kustomize, helm: bins.helm, kubectl: bins.kubectl, nodes: options.nodes,
  };
  await writeDevEnv(env);
  return env;
}
