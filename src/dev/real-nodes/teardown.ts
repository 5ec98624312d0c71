/**
 * What stopping a real node's processes leaves behind, removed: its containers (runc keeps them
 * running without containerd), their network namespaces, the mounts under its directory, the
 * Pods' namespace and the nodes' bridge. Called by `dev down` and when `dev up` fails after starting a node.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { hostQuietly } from "./host-commands.ts";
import { nodesNetwork, realNodePlan, type NodesNetwork, type RealNodePlan } from "./plan.ts";
import { removeNetwork } from "./network.ts";

/** containerd's shim keeps runc's state per containerd namespace: `<runcRoot>/k8s.io/<id>`. */
async function killContainers(plan: RealNodePlan): Promise<void> {
  const namespaces = await readdir(plan.runcRoot).catch(() => []);
  for (const root of namespaces.map((ns) => path.join(plan.runcRoot, ns))) {
    const listed = await hostQuietly("runc", ["--root", root, "list", "-q"]);
    for (const id of listed.split("\n").filter(Boolean)) {
      await hostQuietly("runc", ["--root", root, "kill", "--all", id, "KILL"]);
      await hostQuietly("runc", ["--root", root, "delete", "--force", id]);
    }
  }
}

/** containerd's shims outlive it: those serving this node's socket. */
async function killShims(plan: RealNodePlan): Promise<void> {
  for (const pid of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes("containerd-shim") && cmdline.split("\0").includes(plan.socket)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * The Pods' network namespaces: those holding an address of the node's Pod subnet (the CNI plugin
 * named them, not us), before the environment's own, whose removal would take their addresses.
 */
async function removeNamespaces(plan: RealNodePlan, network: NodesNetwork): Promise<void> {
  const prefix = plan.podSubnet.replace(/\.0\/24$/, ".");
  const names = (await hostQuietly("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0] ?? "");
  for (const name of names.filter((n) => n && n !== network.netns)) {
    const addresses = await hostQuietly("ip", ["netns", "exec", name, "ip", "-o", "-4", "addr"]);
    if (addresses.includes(` ${prefix}`)) await hostQuietly("ip", ["netns", "delete", name]);
  }
}

/** Mount points under `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const unescape = (p: string) =>
    p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return info
    .split("\n")
    .map((line) => unescape(line.split(" ")[4] ?? ""))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) await hostQuietly("umount", ["--lazy", point]);
}

/** How many real nodes' directories the environment has (what a lost state file would have said). */
export async function realNodeDirs(envDir: string): Promise<number> {
  const names = await readdir(path.join(envDir, "nodes")).catch(() => []);
  return names.filter((n) => /^real-\d+$/.test(n)).length;
}

/** Everything the environment's real nodes left; safe to call when none ran. */
export async function tearDownRealNodes(envDir: string, count: number): Promise<void> {
  const plans = Array.from({ length: count }, (_, i) => realNodePlan(envDir, i));
  const network = nodesNetwork(envDir);
  for (const plan of plans) {
    await killContainers(plan);
    await killShims(plan);
    await removeNamespaces(plan, network);
    await unmountUnder(plan.dir);
    await unmountUnder(path.dirname(plan.socket));
    await rm(path.dirname(plan.socket), { recursive: true, force: true });
  }
  if (plans.length > 0) await removeNetwork(network);
}
