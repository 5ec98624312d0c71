import assert from "node:assert/strict";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import net from "node:net";
import { test } from "node:test";
import { devDown, devStatus, devUp } from "../src/dev/environment.ts";
import { realNodeEnv } from "./helpers/real-nodes.ts";
import { host, hostQuietly } from "../src/dev/real-nodes/host-commands.ts";
import { nodesNetwork, realNodePlan } from "../src/dev/real-nodes/plan.ts";
import { mountsUnder } from "../src/dev/real-nodes/teardown.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { runProcess } from "../src/process/run.ts";
import { tempDir } from "./helpers/cli.ts";
import { waitFor } from "./helpers/wait.ts";

type Node = KubeObject & {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { addresses?: { type: string; address: string }[] };
};
type Pod = KubeObject & { status?: { phase?: string; podIP?: string } };

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "hello", namespace: "default", labels: { app: "hello" } },
  spec: {
    nodeSelector: { "sluice.dev/real-node": "true" },
    tolerations: [{ key: "sluice.dev/real-node", operator: "Exists" }],
    automountServiceAccountToken: false,
    containers: [
      {
        name: "web",
        image: "busybox:1.36",
        command: [
          "sh",
          "-c",
          "echo hello from a real pod; echo '<h1>real</h1>' > /tmp/index.html; exec httpd -f -p 8080 -h /tmp",
        ],
      },
    ],
  },
};

const service: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "hello", namespace: "default" },
  spec: { selector: { app: "hello" }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** Live processes (not zombies) whose command line names `text`. */
async function processesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const [cmdline, status] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""),
      readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""),
    ]);
    const zombie = / Z /.test(status.slice(status.lastIndexOf(")")));
    if (!zombie && cmdline.includes(text)) found.push(`${pid} ${cmdline.replaceAll("\0", " ")}`);
  }
  return found;
}

/** What a torn-down environment must not leave: processes, mounts, namespaces, links, rules. */
async function assertNothingLeft(dir: string): Promise<void> {
  const plan = realNodePlan(dir, 0);
  const network = nodesNetwork(dir);
  assert.deepEqual(await processesNaming(dir), [], "no process of the environment");
  assert.deepEqual(await processesNaming(plan.socket), [], "no shim of its containerd");
  assert.deepEqual(await processesNaming("httpd -f -p 8080"), [], "no container process");
  assert.deepEqual(await mountsUnder(dir), [], "no mount under its directory");
  assert.ok(!(await host("ip", ["netns", "list"])).includes(network.netns), "no Pods' namespace");
  const links = await host("ip", ["-o", "link", "show"]);
  assert.ok(!links.includes(network.bridge) && !links.includes(plan.podBridge), links);
  const prefix = plan.podSubnet.replace(/0\/24$/, "");
  for (const name of (await hostQuietly("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0]!)) {
    if (name)
      assert.ok(
        !(await hostQuietly("ip", ["netns", "exec", name, "ip", "-o", "addr"])).includes(prefix),
        name,
      );
  }
  assert.ok(!(await hostQuietly("iptables-save", [])).includes(prefix), "no iptables rule for its Pods");
  assert.equal(await stat(plan.runcRoot).catch(() => undefined), undefined);
}

test("a real node runs a Pod that serves HTTP, its log and exec reach it through the API, and dev down leaves nothing behind", async (t) => {
  const { dir, env, client } = await realNodeEnv(t, "sluice-real-");
  assert.deepEqual(env.realNodes, ["real-0"]);
  const node = await client.get<Node>("v1", "Node", "real-0");
  assert.deepEqual(
    node.spec?.taints?.map((x) => `${x.key}:${x.effect}`),
    ["sluice.dev/real-node:NoSchedule"],
  );
  assert.equal(
    node.status?.addresses?.find((a) => a.type === "InternalIP")?.address,
    realNodePlan(dir, 0).nodeIp,
  );
  const components = (await devStatus(dir)).components.filter((c) => c.name.endsWith("real-0"));
  assert.deepEqual(
    components.map((c) => [c.name, c.running]),
    [
      ["containerd-real-0", true],
      ["kubelet-real-0", true],
    ],
  );

  await client.apply(pod, { fieldManager: "test", force: true });
  const running = await waitFor("the Pod running on real-0", async () => {
    const p = await client.get<Pod>("v1", "Pod", "hello", "default");
    return p.status?.phase === "Running" && p.status.podIP ? p : undefined;
  });
  const page = await waitFor("its answer", async () => {
    const res = await fetch(`http://${running.status!.podIP}:8080/index.html`).catch(() => undefined);
    return res?.ok ? res.text() : undefined;
  });
  assert.equal(page, "<h1>real</h1>\n");
  const log = await client.request<string>("GET", "/api/v1/namespaces/default/pods/hello/log");
  assert.match(log, /hello from a real pod/);
  // kubectl keeps a discovery cache under HOME: the environment's directory, removed with it
  const inPod = async (script: string) => {
    const kubectl = ["--kubeconfig", env.kubeconfig, "exec", "hello", "--", "sh", "-c", script];
    return (await runProcess(env.kubectl, kubectl, { env: { HOME: dir }, timeoutMs: 30_000 })).stdout.trim();
  };
  assert.equal(await inPod("hostname"), "hello", "kubectl exec, through the API server to the kubelet");

  // a Service by its name: the cluster's name server, then kube-proxy's rules in the Pods' namespace
  await client.apply(service, { fieldManager: "test", force: true });
  const { spec } = await client.get<KubeObject & { spec: { clusterIP: string } }>(
    "v1",
    "Service",
    "hello",
    "default",
  );
  const lookup = (name: string) => inPod(`nslookup ${name} | awk '/^Address: /{print $2}'`);
  assert.equal(await lookup("hello.default.svc.cluster.local"), spec.clusterIP);
  assert.equal(await lookup("kubernetes.default.svc.cluster.local"), "10.96.0.1");
  assert.equal(
    await lookup("nothing.default.svc.cluster.local"),
    "",
    "a Service that does not exist has no address",
  );
  const viaService = await waitFor("an answer through the Service", async () => {
    const answer = await inPod(
      `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${spec.clusterIP} 80 | tail -1`,
    );
    return answer || undefined;
  });
  assert.equal(viaService, "<h1>real</h1>");
  const apiServer = await inPod(
    "printf 'GET /livez HTTP/1.0\\r\\n\\r\\n' | nc -w 3 10.96.0.1 443 >/dev/null; echo $?",
  );
  assert.equal(apiServer, "0", "the kubernetes Service leads to the API server");
  const services = (await devStatus(dir)).components.filter((c) =>
    ["node-services", "kube-proxy"].includes(c.name),
  );
  assert.deepEqual(
    services.map((c) => [c.name, c.running]),
    [
      ["node-services", true],
      ["kube-proxy", true],
    ],
  );

  await devDown(dir);
  await assertNothingLeft(dir);
});

test("a real node that cannot start fails dev up naming its component and log, and leaves nothing behind", async (t) => {
  const dir = await tempDir(t, "sluice-real-bad-");
  const plan = realNodePlan(dir, 0);
  const network = nodesNetwork(dir);
  // the kubelet's port on the node's address, taken
  await host("ip", ["link", "add", network.bridge, "type", "bridge"]);
  t.after(() => hostQuietly("ip", ["link", "delete", network.bridge]));
  await host("ip", ["addr", "add", `${plan.nodeIp}/24`, "dev", network.bridge]);
  await host("ip", ["link", "set", network.bridge, "up"]);
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(10250, plan.nodeIp, resolve));
  t.after(() => squatter.close());

  await assert.rejects(devUp({ dir, nodes: 1, realNodes: 1 }), (error: Error) => {
    assert.match(error.message, /start real nodes/);
    assert.match(error.message, /kubelet-real-0 exited/);
    assert.match(error.message, /logs\/kubelet-real-0\.log/);
    return true;
  });
  squatter.close();
  await hostQuietly("ip", ["link", "delete", network.bridge]);
  await assertNothingLeft(dir);
});

test("dev down without its state file (removed by hand) still stops the components and tears the real node down", async (t) => {
  const { dir, client } = await realNodeEnv(t, "sluice-real-lost-");
  await client.apply(pod, { fieldManager: "test", force: true });
  await waitFor("the Pod running", async () =>
    (await client.get<Pod>("v1", "Pod", "hello", "default")).status?.phase === "Running" ? true : undefined,
  );
  await rm(path.join(dir, "state.json"));
  await devDown(dir);
  await assertNothingLeft(dir);
});
