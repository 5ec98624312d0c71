/**
 * The real nodes' addresses: a bridge of the environment's own holding each node's address, so
 * the kubelets listen on private addresses (a Node's address may not be a loopback one) and the
 * API server reaches them there. The Pods' bridges are the CNI bridge plugin's, in a network
 * namespace of the environment's own.
 */
import { host, hostQuietly } from "./host-commands.ts";
import type { NodesNetwork, RealNodePlan } from "./plan.ts";

export async function ensureNodeAddress(network: NodesNetwork, plan: RealNodePlan): Promise<void> {
  const links = await host("ip", ["-o", "link", "show"]);
  if (!links.includes(` ${network.bridge}:`))
    await host("ip", ["link", "add", network.bridge, "type", "bridge"]);
  await host("ip", ["link", "set", network.bridge, "up"]);
  const addresses = await host("ip", ["-o", "-4", "addr", "show", "dev", network.bridge]);
  if (!addresses.includes(` ${plan.nodeIp}/`))
    await host("ip", ["addr", "add", `${plan.nodeIp}/24`, "dev", network.bridge]);
}

const inNamespace = (network: NodesNetwork, args: string[]) =>
  host("ip", ["netns", "exec", network.netns, ...args]);

/**
 * The Pods' network namespace, linked to the nodes' bridge: the CNI bridge plugin makes the
 * Pods' bridges there and kube-proxy writes its rules there, so each environment's Services
 * live in their own tables. The host routes the Pods' addresses to it; it routes everything
 * else back to the host.
 */
export async function ensurePodNamespace(network: NodesNetwork): Promise<void> {
  const namespaces = await host("ip", ["netns", "list"]);
  if (namespaces.split("\n").some((line) => line.split(" ")[0] === network.netns)) return;
  await host("ip", ["netns", "add", network.netns]);
  await host("ip", [
    "link",
    "add",
    network.uplink,
    "type",
    "veth",
    "peer",
    "name",
    "uplink",
    "netns",
    network.netns,
  ]);
  await host("ip", ["link", "set", network.uplink, "master", network.bridge, "up"]);
  await host("ip", ["addr", "add", `${network.servicesIp}/24`, "dev", network.bridge]);
  await inNamespace(network, ["ip", "addr", "add", `${network.netnsIp}/24`, "dev", "uplink"]);
  await inNamespace(network, ["ip", "link", "set", "uplink", "up"]);
  await inNamespace(network, ["ip", "link", "set", "lo", "up"]);
  await inNamespace(network, ["ip", "route", "add", "default", "via", network.servicesIp]);
  await inNamespace(network, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
  await host("ip", ["route", "replace", network.podSupernet, "via", network.netnsIp]);
}

/** Removes the Pods' namespace (its bridges and rules with it) and the nodes' bridge (the route with it). */
export async function removeNetwork(network: NodesNetwork): Promise<void> {
  await hostQuietly("ip", ["netns", "delete", network.netns]);
  await hostQuietly("ip", ["link", "delete", network.bridge]);
}
