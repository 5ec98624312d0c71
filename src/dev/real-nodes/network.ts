/**
 * The real nodes' addresses: a bridge of the environment's own holding each node's address, so
 * the kubelets listen on private addresses (a Node's address may not be a loopback one) and the
 * API server reaches them there. The Pods' bridges are the CNI bridge plugin's.
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

/** Removes the Pods' bridge of each node and the nodes' bridge. */
export async function removeBridges(network: NodesNetwork, plans: readonly RealNodePlan[]): Promise<void> {
  for (const plan of plans) await hostQuietly("ip", ["link", "delete", plan.podBridge]);
  await hostQuietly("ip", ["link", "delete", network.bridge]);
}
