/**
 * Real nodes beside the kwok ones: per node a containerd (Debian's, with runc and the CNI
 * plugins) and a kubelet built from the pinned Kubernetes module, each a process of the
 * environment, on an address of the environment's own bridge. Pods reach them by tolerating
 * the `sluice.dev/real-node` taint; kwok's fake nodes stay for scale. See ADR 0027.
 */
import { chmod, mkdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { systemBinary, upstreamBinary } from "../../common/toolchain.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { renderKubeconfig } from "../../kube/kubeconfig.ts";
import type { DevPki } from "../pki.ts";
import { clientCert } from "../pki.ts";
import type { ManagedProcess } from "../processes.ts";
import { waitUntil } from "../processes.ts";
import {
  cniNetwork,
  cniPlugins,
  containerdConfig,
  kubeletConfig,
  nodeFiles,
  registryHosts,
  systemCniDir,
} from "./config-files.ts";
import { systemPath } from "./host-commands.ts";
import { ensureNodeAddress, ensurePodNamespace } from "./network.ts";
import { nodesNetwork, realNodePlan, type NodesNetwork, type RealNodePlan } from "./plan.ts";
import { startServiceNetwork } from "./service-network.ts";

export { realNodeDirs, tearDownRealNodes } from "./teardown.ts";
export { nodesNetwork } from "./plan.ts";
export { realNodeTaint } from "./config-files.ts";

export interface RealNodesContext {
  envDir: string;
  apiServer: string;
  /** The environment's admin kubeconfig. */
  kubeconfig: string;
  /** Loopback ports the Pods reach on the nodes' services address: the API server's first. */
  relayPorts: number[];
  pki: DevPki;
  client: KubeClient;
  registry: string;
  mirrorPrefix: string;
  registryAuth?: { username: string; password: string } | undefined;
  start: (
    name: string,
    command: string,
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; execs?: string },
  ) => Promise<ManagedProcess>;
}

const daemonEnv = { PATH: systemPath, HOME: os.homedir() };

async function writeCniPlugins(plan: RealNodePlan, network: NodesNetwork): Promise<void> {
  const dir = nodeFiles(plan).cniBinDir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const plugins = cniPlugins(network, await systemBinary("ip"));
  for (const [name, script] of Object.entries(plugins.scripts)) {
    await writeFile(path.join(dir, name), script);
    await chmod(path.join(dir, name), 0o755);
  }
  for (const name of plugins.links) await symlink(path.join(systemCniDir, name), path.join(dir, name));
}

async function writeFiles(ctx: RealNodesContext, plan: RealNodePlan, network: NodesNetwork): Promise<void> {
  const f = nodeFiles(plan);
  await mkdir(f.cniConfDir, { recursive: true });
  await writeCniPlugins(plan, network);
  await mkdir(path.dirname(plan.socket), { recursive: true, mode: 0o700 });
  const auth = ctx.registryAuth && { host: ctx.registry, ...ctx.registryAuth };
  await writeFile(f.containerdConfig, containerdConfig(plan, auth));
  for (const [registry, text] of Object.entries(registryHosts(ctx.registry, ctx.mirrorPrefix))) {
    await mkdir(path.join(f.hostsDir, registry), { recursive: true });
    await writeFile(path.join(f.hostsDir, registry, "hosts.toml"), text);
  }
  await writeFile(path.join(f.cniConfDir, "10-sluice.conflist"), cniNetwork(plan));
  await writeFile(f.kubeletConfig, kubeletConfig(plan, network));
  const id = await clientCert(
    path.join(ctx.envDir, "pki"),
    `node-${plan.name}`,
    `/O=system:nodes/CN=system:node:${plan.name}`,
  );
  const kubeconfig = renderKubeconfig({
    server: ctx.apiServer,
    ca: ctx.pki.ca,
    cert: id.cert,
    key: id.key,
    user: plan.name,
  });
  await writeFile(f.kubeconfig, kubeconfig, { mode: 0o600 });
}

/** RBAC's role for kubelets, given to the nodes' group (the API server runs no Node authorizer). */
async function grantNodes(client: KubeClient): Promise<void> {
  const binding: KubeObject = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "sluice-dev:nodes" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:nodes" }],
  };
  await client.apply(binding, { fieldManager: "sluice-dev", force: true });
}

async function nodeReady(client: KubeClient, name: string): Promise<boolean> {
  const node = await client.get<
    KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
  >("v1", "Node", name);
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Starts `count` real nodes and waits until each is Ready; a node that cannot start fails naming its component and log. */
export async function startRealNodes(ctx: RealNodesContext, count: number): Promise<string[]> {
  if (count === 0) return [];
  const kubelet = await upstreamBinary("kubelet");
  const containerdBinary = await systemBinary("containerd");
  const network = nodesNetwork(ctx.envDir);
  await grantNodes(ctx.client);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const plan = realNodePlan(ctx.envDir, i);
    await writeFiles(ctx, plan, network);
    await ensureNodeAddress(network, plan);
    await ensurePodNamespace(network);
    const f = nodeFiles(plan);
    const containerd = await ctx.start(
      `containerd-${plan.name}`,
      containerdBinary,
      ["--config", f.containerdConfig],
      { env: daemonEnv },
    );
    await waitUntil(`containerd of ${plan.name}`, () => socketExists(plan.socket), {
      timeoutMs: 30_000,
      process: containerd,
    });
    const process = await ctx.start(
      `kubelet-${plan.name}`,
      kubelet,
      [
        `--config=${f.kubeletConfig}`,
        `--kubeconfig=${f.kubeconfig}`,
        `--hostname-override=${plan.name}`,
        `--node-ip=${plan.nodeIp}`,
        `--root-dir=${f.kubeletRoot}`,
        `--cert-dir=${path.join(f.kubeletRoot, "pki")}`,
        "--node-labels=sluice.dev/real-node=true",
        "--v=1",
      ],
      { env: daemonEnv },
    );
    await waitUntil(`kubelet of ${plan.name} Ready`, () => nodeReady(ctx.client, plan.name), {
      timeoutMs: 60_000,
      process,
    });
    names.push(plan.name);
  }
  await startServiceNetwork(ctx, network, names[0]!);
  return names;
}

async function socketExists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isSocket() ?? false;
}
