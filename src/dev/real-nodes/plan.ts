/**
 * Where a real node of an environment lives: its directory, its address and its Pods' subnet,
 * and the names of the bridges they sit on. Derived from the environment's directory, so two
 * environments on one machine (the tests' and a developer's) do not collide, and `dev down`
 * finds the same names again.
 */
import { createHash } from "node:crypto";
import path from "node:path";

export interface NodesNetwork {
  /** The bridge carrying every real node's address. */
  bridge: string;
  /** `10.250.K.0/24`: node i is `10.250.K.(i+1)`. */
  subnet: string;
  /** The Pods' subnets all fall in `10.P.0.0/16`: node i's Pods in `10.P.i.0/24`. */
  podSupernet: string;
  /** The network namespace holding the Pods' bridges and kube-proxy's rules. */
  netns: string;
  /** The host's end of the link into that namespace, a port of `bridge`. */
  uplink: string;
  /** The namespace's address on `subnet`, the host's route to the Pods. */
  netnsIp: string;
  /** The host's address the Pods reach: the name server and the API relay (`node-services`). */
  servicesIp: string;
}

export interface RealNodePlan {
  name: string;
  index: number;
  dir: string;
  nodeIp: string;
  podSubnet: string;
  podGateway: string;
  /** The bridge the node's Pods' interfaces join (the CNI bridge plugin creates it, in the Pods' namespace). */
  podBridge: string;
  /** containerd's socket; short paths only: a socket path has at most 107 bytes. */
  socket: string;
  /** runc's state directory, so teardown can find every container this node ran. */
  runcRoot: string;
}

/** Addresses are chosen once per environment: a byte of its directory's hash each. */
function seed(envDir: string): { hex: string; nodes: number; pods: number } {
  const digest = createHash("sha256").update(path.resolve(envDir)).digest();
  return {
    hex: digest.subarray(0, 3).toString("hex"),
    nodes: digest[3]! % 250,
    pods: 150 + (digest[4]! % 50),
  };
}

export function nodesNetwork(envDir: string): NodesNetwork {
  const s = seed(envDir);
  return {
    bridge: `sln${s.hex}`,
    subnet: `10.250.${s.nodes}.0/24`,
    podSupernet: `10.${s.pods}.0.0/16`,
    netns: `sls${s.hex}`,
    uplink: `slv${s.hex}`,
    netnsIp: `10.250.${s.nodes}.251`,
    servicesIp: `10.250.${s.nodes}.250`,
  };
}

export const realNodeName = (index: number) => `real-${index}`;

export function realNodePlan(envDir: string, index: number): RealNodePlan {
  const s = seed(envDir);
  const name = realNodeName(index);
  const dir = path.join(path.resolve(envDir), "nodes", name);
  const runtime = path.join("/run/sluice", `${s.hex}-${index}`);
  return {
    name,
    index,
    dir,
    nodeIp: `10.250.${s.nodes}.${index + 1}`,
    podSubnet: `10.${s.pods}.${index}.0/24`,
    podGateway: `10.${s.pods}.${index}.1`,
    podBridge: `slp${s.hex}${index}`,
    socket: path.join(runtime, "containerd.sock"),
    runcRoot: path.join(runtime, "runc"),
  };
}
