import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SluiceError } from "../common/errors.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeconfig, renderKubeconfig } from "../kube/kubeconfig.ts";
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  fakeNode,
  kwokArgs,
  loopback,
  schedulerArgs,
  type DevPorts,
} from "./components.ts";
import { envFilePath, readDevEnv, writeDevEnv, type DevEnv } from "./env-file.ts";
import { ensurePki, type DevPki, type Identity } from "./pki.ts";
import {
  freePort,
  isRunning,
  startDetached,
  stopProcess,
  processesUnder,
  tcpBanner,
  waitUntil,
  type ManagedProcess,
} from "./processes.ts";
import { writeRegistryConfig } from "./registry.ts";
import { startSluiceServer, type ServerLaunch } from "./sluice-server.ts";
import { prepareSshd } from "./sshd.ts";
import { registryEventsPath } from "./webhooks.ts";
import { postgresAnswers, postgresBinaries, postgresDir, preparePostgres } from "./postgres.ts";
import { readState, removeState, writeState } from "./state.ts";
import { projectRoot, systemBinary, upstreamBinary } from "../common/toolchain.ts";
import { nodesReady } from "./nodes.ts";
import { mirrorPrefix, pushToEnvironment, type MirrorPushReport } from "./base-images/index.ts";
import { nodesNetwork, realNodeDirs, startRealNodes, tearDownRealNodes } from "./real-nodes/index.ts";

export interface UpOptions {
  dir: string;
  nodes: number;
  registryAuth?: boolean;
  /** also install the CRDs and run `sluice server` against the cluster */
  server?: boolean;
  /** also push the offline base images under their mirror names (built first when not cached) */
  images?: boolean;
  /** real nodes (containerd + kubelet) beside the kwok ones; their Pods need the base images, which are then pushed */
  realNodes?: number;
  progress?: (message: string) => void;
}

export type UpResult = { env: DevEnv; alreadyRunning: boolean; images?: MirrorPushReport };

/** Starts (or reports) the environment in `dir`: all components or none. */
export async function devUp(options: UpOptions): Promise<UpResult> {
  const report = options.progress ?? (() => {});
  const result = await upWithoutImages(options, report);
  if (!options.images && !options.realNodes) return result;
  report("pushing the base images under their mirror names");
  const { env, pushed } = await pushToEnvironment(result.env, { progress: report });
  await writeDevEnv(env);
  return { ...result, env, images: pushed };
}

async function upWithoutImages(options: UpOptions, report: (m: string) => void): Promise<UpResult> {
  const dir = path.resolve(options.dir);
  const existing = await readDevEnv(dir);
  const state = await readState(dir);
  if (existing && state && (await allRunning(state.processes))) {
    if (!options.server || existing.serverUrl) return { env: existing, alreadyRunning: true };
    report("starting sluice server in the running environment");
    return { env: await addServer(dir, existing, state.processes), alreadyRunning: true };
  }
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
  const stopped = state ? [...state.processes].reverse() : await processesUnder(resolved);
  for (const p of stopped) await stopProcess(p);
  await tearDownRealNodes(resolved, Math.max(state?.realNodes ?? 0, await realNodeDirs(resolved)));
  await removeState(resolved);
  await rm(envFilePath(resolved), { force: true });
  if (options.purge) {
    await rm(resolved, { recursive: true, force: true });
    await rm(postgresDir(resolved), { recursive: true, force: true });
  }
  return stopped;
}

export interface ComponentStatus {
  name: string;
  pid: number;
  running: boolean;
  log: string;
}

export async function devStatus(
  dir: string,
): Promise<{ env: DevEnv | undefined; components: ComponentStatus[] }> {
  const resolved = path.resolve(dir);
  const state = await readState(resolved);
  const components = await Promise.all(
    (state?.processes ?? []).map(async (p) => ({
      name: p.name,
      pid: p.pid,
      running: await isRunning(p),
      log: p.log,
    })),
  );
  return { env: await readDevEnv(resolved), components };
}

class Launch {
  readonly processes: ManagedProcess[] = [];
  readonly dir: string;
  /** Real nodes set up so far: torn down with the processes. */
  realNodes = 0;
  constructor(dir: string) {
    this.dir = dir;
  }
  /** Records a process started elsewhere, so a failed step and `dev down` stop it too. */
  async adopt(p: ManagedProcess): Promise<void> {
    this.processes.push(p);
    await this.save();
  }

  async save(): Promise<void> {
    await writeState(this.dir, { processes: this.processes, realNodes: this.realNodes });
  }

  async start(
    name: string,
    command: string,
    args: string[],
    options: {
      env?: NodeJS.ProcessEnv;
      user?: { uid: number; gid: number } | undefined;
      execs?: string;
    } = {},
  ): Promise<ManagedProcess> {
    const p = await startDetached(name, command, args, {
      log: path.join(this.dir, "logs", `${name}.log`),
      ...(options.env ? { env: options.env } : {}),
      ...(options.user ? { user: options.user } : {}),
      ...(options.execs ? { execs: options.execs } : {}),
    });
    this.processes.push(p);
    await this.save();
    return p;
  }
}

async function step<T>(launch: Launch, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    for (const p of [...launch.processes].reverse()) await stopProcess(p);
    await tearDownRealNodes(launch.dir, launch.realNodes);
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

interface Launching {
  launch: Launch;
  dir: string;
  ports: DevPorts;
  pki: DevPki;
  bins: Binaries;
  server: string;
}

type Binaries = Awaited<ReturnType<typeof findBinaries>>;

async function findBinaries() {
  return {
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
    sshd: await systemBinary("sshd"),
    postgres: await postgresBinaries(),
  };
}

async function writeKubeconfig(l: Launching, name: string, id: Identity, user: string): Promise<string> {
  const file = path.join(l.dir, name);
  const text = renderKubeconfig({ server: l.server, ca: l.pki.ca, cert: id.cert, key: id.key, user });
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

async function choosePorts(): Promise<DevPorts> {
  const [etcdClient, etcdPeer, apiServer, registry, git, ssh, postgres] = await Promise.all(
    [0, 1, 2, 3, 4, 5, 6].map(() => freePort()),
  );
  return {
    etcdClient: etcdClient!,
    etcdPeer: etcdPeer!,
    apiServer: apiServer!,
    registry: registry!,
    git: git!,
    ssh: ssh!,
    postgres: postgres!,
  };
}

const httpAnswers = (url: string, ok: (status: number) => boolean) => async () =>
  ok((await fetch(url, { signal: AbortSignal.timeout(2000) })).status);

const waitHttp = (l: Launching, what: string, url: string, ok: (s: number) => boolean, p: ManagedProcess) =>
  step(l.launch, `wait for ${what}`, () =>
    waitUntil(what, httpAnswers(url, ok), { timeoutMs: 30_000, process: p }),
  );

async function startRegistry(l: Launching, password: string | undefined): Promise<ManagedProcess> {
  return step(l.launch, "start registry", async () => {
    const auth = password ? { auth: { username: devUser, password } } : {};
    const cfg = await writeRegistryConfig(path.join(l.dir, "registry"), {
      host: loopback,
      port: l.ports.registry,
      ...auth,
      // relayed by the git server process to the registered distribution webhooks
      notifications: { url: `http://${loopback}:${l.ports.git}${registryEventsPath}` },
    });
    return l.launch.start("registry", l.bins.registry, cfg.command.slice(1));
  });
}

async function startGit(l: Launching): Promise<ManagedProcess> {
  const flags = {
    "--root": path.join(l.dir, "git"),
    "--host": loopback,
    "--port": String(l.ports.git),
    "--username": devUser,
    "--password-file": path.join(l.dir, "git-password"),
  };
  const cli = [
    "--disable-warning=ExperimentalWarning",
    path.join(projectRoot, "src/cli/main.ts"),
    "dev",
    "git-server",
  ];
  return step(l.launch, "start git server", () =>
    l.launch.start("git-server", process.execPath, [...cli, ...Object.entries(flags).flat()]),
  );
}

async function startPostgres(l: Launching): Promise<{ process: ManagedProcess; url: string }> {
  const password = await secretFile(path.join(l.dir, "postgres-password"));
  return step(l.launch, "start postgres", async () => {
    const prepared = await preparePostgres(postgresDir(l.dir), l.bins.postgres, l.ports.postgres, password);
    const p = await l.launch.start("postgres", l.bins.postgres.postgres, prepared.args, {
      user: prepared.user,
    });
    return { process: p, url: prepared.url };
  });
}

/** kube-apiserver, then controller-manager, scheduler, kwok and the fake nodes. Returns the admin kubeconfig. */
async function startKubernetes(l: Launching, nodes: number, report: (m: string) => void): Promise<string> {
  report("starting kube-apiserver");
  const apiserver = await step(l.launch, "start kube-apiserver", () =>
    l.launch.start("kube-apiserver", l.bins.apiserver, apiServerArgs(l.pki, l.ports)),
  );
  const kubeconfig = await writeKubeconfig(l, "kubeconfig", l.pki.admin, "sluice-admin");
  const client = new KubeClient(await loadKubeconfig(kubeconfig));
  try {
    const ready = async () => (await client.request<string>("GET", "/readyz")) === "ok";
    await step(l.launch, "wait for kube-apiserver", () =>
      waitUntil("kube-apiserver /readyz", ready, { timeoutMs: 60_000, process: apiserver }),
    );
    report("starting controller-manager, scheduler and kwok");
    const cm = await writeKubeconfig(
      l,
      "kubeconfig-controller-manager",
      l.pki.controllerManager,
      "controller-manager",
    );
    const sched = await writeKubeconfig(l, "kubeconfig-scheduler", l.pki.scheduler, "scheduler");
    await step(l.launch, "start kube-controller-manager", () =>
      l.launch.start("kube-controller-manager", l.bins.cm, controllerManagerArgs(l.pki, cm)),
    );
    await step(l.launch, "start kube-scheduler", () =>
      l.launch.start("kube-scheduler", l.bins.scheduler, schedulerArgs(sched)),
    );
    const kwok = await step(l.launch, "start kwok", () =>
      l.launch.start("kwok", l.bins.kwok, kwokArgs(kubeconfig)),
    );
    await step(l.launch, "create nodes", async () => {
      for (let i = 0; i < nodes; i++)
        await client.apply(fakeNode(`kwok-node-${i}`), { fieldManager: "sluice-dev", force: true });
    });
    report(`waiting for ${nodes} nodes to be Ready`);
    await step(l.launch, "wait for nodes", () =>
      waitUntil("nodes Ready", () => nodesReady(client, nodes), { timeoutMs: 60_000, process: kwok }),
    );
  } finally {
    await client.close();
  }
  return kubeconfig;
}

const devUser = "sluice";

/** The real nodes asked for, each Ready; their Pods pull through the registry started before. */
async function addRealNodes(
  l: Launching,
  kubeconfig: string,
  options: UpOptions,
  registryPassword: string | undefined,
  report: (m: string) => void,
): Promise<string[]> {
  const count = options.realNodes ?? 0;
  if (count === 0) return [];
  report(`starting ${count} real node${count > 1 ? "s" : ""} (containerd + kubelet)`);
  l.launch.realNodes = count;
  await l.launch.save();
  const client = new KubeClient(await loadKubeconfig(kubeconfig));
  try {
    return await step(l.launch, "start real nodes", () =>
      startRealNodes(
        {
          envDir: l.dir,
          apiServer: l.server,
          kubeconfig,
          relayPorts: [Number(new URL(l.server).port), l.ports.git, l.ports.registry],
          pki: l.pki,
          client,
          registry: `${loopback}:${l.ports.registry}`,
          mirrorPrefix,
          registryAuth: registryPassword ? { username: devUser, password: registryPassword } : undefined,
          start: (name, command, args, opts) => l.launch.start(name, command, args, opts),
        },
        count,
      ),
    );
  } finally {
    await client.close();
  }
}

async function startFresh(dir: string, options: UpOptions, report: (m: string) => void): Promise<DevEnv> {
  await mkdir(path.join(dir, "logs"), { recursive: true });
  const launch = new Launch(dir);
  const bins = await step(launch, "find binaries", findBinaries);
  const pki = await step(launch, "create certificates", () => ensurePki(path.join(dir, "pki")));
  const ports = await choosePorts();
  const l: Launching = { launch, dir, ports, pki, bins, server: `https://${loopback}:${ports.apiServer}` };
  const gitPassword = await secretFile(path.join(dir, "git-password"));
  const registryPassword = options.registryAuth
    ? await secretFile(path.join(dir, "registry-password"))
    : undefined;

  report("starting etcd, registry and git server");
  const etcd = await step(launch, "start etcd", () => launch.start("etcd", bins.etcd, etcdArgs(dir, ports)));
  const registry = await startRegistry(l, registryPassword);
  const git = await startGit(l);
  const ssh = await prepareSshd(path.join(dir, "ssh"), ports.ssh);
  const sshd = await step(launch, "start sshd", () => launch.start("sshd", bins.sshd, ssh.args));
  const postgres = await startPostgres(l);
  await waitHttp(l, "etcd", `http://${loopback}:${ports.etcdClient}/health`, (s) => s === 200, etcd);
  const kubeconfig = await startKubernetes(l, options.nodes, report);
  const realNodes = await addRealNodes(l, kubeconfig, options, registryPassword, report);
  await waitHttp(
    l,
    "registry",
    `http://${loopback}:${ports.registry}/v2/`,
    (s) => s === 200 || s === 401,
    registry,
  );
  await step(launch, "wait for postgres", () =>
    waitUntil("postgres", () => postgresAnswers(postgres.url), {
      timeoutMs: 30_000,
      process: postgres.process,
    }),
  );
  const gitUrl = `http://${loopback}:${ports.git}`;
  await waitHttp(l, "git server", `${gitUrl}/`, (s) => s === 401, git);
  await step(launch, "wait for sshd", () =>
    waitUntil("sshd", () => tcpBanner(loopback, ports.ssh, "SSH-"), { timeoutMs: 30_000, process: sshd }),
  );

  const env: DevEnv = {
    dir,
    kubeconfig,
    apiServer: l.server,
    registry: `${loopback}:${ports.registry}`,
    ...(registryPassword ? { registryUsername: devUser, registryPassword } : {}),
    gitUrl,
    gitUsername: devUser,
    gitPassword,
    gitRoot: path.join(dir, "git"),
    sshUrl: ssh.url,
    sshIdentityFile: ssh.identityFile,
    sshKnownHosts: ssh.knownHosts,
    kustomize: bins.kustomize,
    helm: bins.helm,
    kubectl: bins.kubectl,
    nodes: options.nodes,
    ...(realNodes.length ? { realNodes, podReachableHost: nodesNetwork(l.dir).servicesIp } : {}),
    postgresUrl: postgres.url,
  };
  if (options.server) {
    report("installing the CRDs and starting sluice server");
    const server = await step(launch, "start sluice server", () => startSluiceServer(dir, env));
    await launch.adopt(server.process);
    Object.assign(env, serverEnv(server));
  }
  await writeDevEnv(env);
  return env;
}

async function addServer(dir: string, env: DevEnv, processes: ManagedProcess[]): Promise<DevEnv> {
  const server = await startSluiceServer(dir, env);
  const state = await readState(dir);
  await writeState(dir, { ...state, processes: [...processes, server.process] });
  const next = { ...env, ...serverEnv(server) };
  await writeDevEnv(next);
  return next;
}

function serverEnv(server: ServerLaunch): Partial<DevEnv> {
  return {
    serverUrl: server.healthUrl,
    receiverUrl: server.receiverUrl,
    sluiceUrl: server.sluiceUrl,
    sluiceUsername: server.sluiceUsername,
    sluicePassword: server.sluicePassword,
  };
}
