import { randomBytes } from "node:crypto";
import path from "node:path";
import { crds } from "../api/registry.ts";
import { applyStaged } from "../kube/apply.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeconfig } from "../kube/kubeconfig.ts";
import { loopback } from "./components.ts";
import { freePort, startDetached, waitUntil, type ManagedProcess } from "./processes.ts";
import { projectRoot } from "../common/toolchain.ts";
import { mirrorPrefix } from "./base-images/push.ts";
import type { DevEnv } from "./env-file.ts";
import { realNodeTaint } from "./real-nodes/config-files.ts";

export interface ServerLaunch {
  process: ManagedProcess;
  healthUrl: string;
  /** where webhook receivers listen (`/hook/<token>`), on loopback */
  receiverUrl: string;
  /** the CI API, and its generated admin user (team main) */
  sluiceUrl: string;
  sluiceUsername: string;
  sluicePassword: string;
}

/**
 * Installs the CRDs and starts `sluice server` against the environment's cluster, as one more
 * component. Images of docker.io are read from the registry's mirror names (the offline base
 * images, pushed by `dev up --images`), so pipelines naming `golang:1.22` or `busybox` run as written.
 */
export async function startSluiceServer(
  dir: string,
  env: Pick<DevEnv, "kubeconfig" | "registry" | "realNodes">,
): Promise<ServerLaunch> {
  const { kubeconfig, registry } = env;
  const client = new KubeClient(await loadKubeconfig(kubeconfig));
  try {
    await applyStaged(client, [...crds], { fieldManager: "sluice" });
  } finally {
    await client.close();
  }
  const [storagePort, healthPort, httpPort, receiverPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const password = randomBytes(18).toString("base64url");
  const args = [
    "--disable-warning=ExperimentalWarning",
    "--max-semi-space-size=2",
    path.join(projectRoot, "src/cli/main.ts"),
    "server",
    "--kubeconfig",
    kubeconfig,
    "--storage-path",
    path.join(dir, "storage"),
    "--storage-addr",
    `${loopback}:${storagePort}`,
    "--health-addr",
    `${loopback}:${healthPort}`,
    "--allow-file-urls",
    "--http-addr",
    `${loopback}:${httpPort}`,
    // never the default :9292 on every interface: it is not ours to take (another environment, a test)
    "--receiver-addr",
    `${loopback}:${receiverPort}`,
    "--registry-mirror",
    `docker.io=${registry}/${mirrorPrefix}/docker.io`,
    // with real nodes, tasks tagged kubernetes run as Pods there
    ...(env.realNodes?.length
      ? [
          "--task-pods-namespace",
          "ci-tasks",
          "--task-pods-node-selector",
          `${realNodeTaint.key}=${realNodeTaint.value}`,
        ]
      : []),
  ];
  const process_ = await startDetached("sluice-server", process.execPath, args, {
    log: path.join(dir, "logs", "sluice-server.log"),
    // the password stays off the command line
    env: { ...process.env, SLUICE_ADD_LOCAL_USER: `admin:${password}` },
  });
  const healthUrl = `http://${loopback}:${healthPort}`;
  const ready = async () => (await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
  await waitUntil("sluice server /readyz", ready, { timeoutMs: 60_000, process: process_ });
  return {
    process: process_,
    healthUrl,
    receiverUrl: `http://${loopback}:${receiverPort}`,
    sluiceUrl: `http://${loopback}:${httpPort}`,
    sluiceUsername: "admin",
    sluicePassword: password,
  };
}
