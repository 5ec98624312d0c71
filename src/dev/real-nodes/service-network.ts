/**
 * Services for the real nodes' Pods: `node-services` (name server and API relay) on the host's
 * address the Pods reach, the `kubernetes` Service's endpoint at that relay (the API server runs
 * no endpoint reconciler), and kube-proxy in the Pods' network namespace. See ADR 0027.
 */
import { Resolver } from "node:dns/promises";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot, systemBinary, upstreamBinary } from "../../common/toolchain.ts";
import type { KubeClient } from "../../kube/client.ts";
import { renderKubeconfig } from "../../kube/kubeconfig.ts";
import { clientCert } from "../pki.ts";
import { waitUntil } from "../processes.ts";
import { clusterDomain, kubeProxyConfig } from "./config-files.ts";
import type { RealNodesContext } from "./index.ts";
import type { NodesNetwork } from "./plan.ts";
import { systemPath } from "./host-commands.ts";

const fieldManager = "sluice-dev";

/** The `kubernetes` Service answered at the relay, as the endpoint reconciler would write it. */
async function apiEndpoint(client: KubeClient, network: NodesNetwork, port: number): Promise<void> {
  await client.apply(
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: {
          "kubernetes.io/service-name": "kubernetes",
          "endpointslice.kubernetes.io/managed-by": fieldManager,
        },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [network.servicesIp], conditions: { ready: true } }],
      ports: [{ name: "https", port, protocol: "TCP" }],
    },
    { fieldManager, force: true },
  );
}

/** kube-proxy's identity (`system:kube-proxy`, bound to its role) and its kubeconfig, reaching the API through the relay. */
async function kubeProxyKubeconfig(
  ctx: RealNodesContext,
  network: NodesNetwork,
  port: number,
): Promise<string> {
  const id = await clientCert(path.join(ctx.envDir, "pki"), "kube-proxy", "/CN=system:kube-proxy");
  await ctx.client.apply(
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "sluice-dev:kube-proxy" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node-proxier" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:kube-proxy" }],
    },
    { fieldManager, force: true },
  );
  const file = path.join(ctx.envDir, "nodes", "kube-proxy.kubeconfig");
  const kubeconfig = renderKubeconfig({
    server: `https://${network.servicesIp}:${port}`,
    // the serving certificate names loopback, where the relay leads
    tlsServerName: new URL(ctx.apiServer).hostname,
    ca: ctx.pki.ca,
    cert: id.cert,
    key: id.key,
    user: "kube-proxy",
  });
  await writeFile(file, kubeconfig, { mode: 0o600 });
  return file;
}

async function answersDns(network: NodesNetwork): Promise<boolean> {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([network.servicesIp]);
  const found = await resolver.resolve4(`kubernetes.default.svc.${clusterDomain}`).catch(() => []);
  return found.length > 0;
}

export async function startServiceNetwork(
  ctx: RealNodesContext,
  network: NodesNetwork,
  nodeName: string,
): Promise<void> {
  const port = Number(new URL(ctx.apiServer).port);
  const services = await ctx.start("node-services", process.execPath, [
    "--disable-warning=ExperimentalWarning",
    path.join(projectRoot, "src/cli/main.ts"),
    ...["dev", "node-services", "--listen", network.servicesIp],
    ...ctx.relayPorts.flatMap((relayed) => ["--relay-port", String(relayed)]),
    ...["--kubeconfig", ctx.kubeconfig, "--domain", clusterDomain],
  ]);
  await apiEndpoint(ctx.client, network, port);
  await waitUntil("node-services answering names", () => answersDns(network), {
    timeoutMs: 30_000,
    process: services,
  });
  const config = path.join(ctx.envDir, "nodes", "kube-proxy.yaml");
  await writeFile(config, kubeProxyConfig(network, await kubeProxyKubeconfig(ctx, network, port), nodeName));
  const kubeProxy = await upstreamBinary("kube-proxy");
  const ip = await systemBinary("ip");
  await ctx.start("kube-proxy", ip, ["netns", "exec", network.netns, kubeProxy, `--config=${config}`], {
    env: { PATH: systemPath },
    execs: kubeProxy,
  });
}
