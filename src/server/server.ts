import os from "node:os";
import path from "node:path";
import type { RegistryLimit } from "../oci/registry-limiter.ts";
import { startControllers } from "./controllers.ts";
import { KubeClient } from "../kube/client.ts";
import type { ClusterAccess } from "../kube/kubeconfig.ts";
import type { Logger } from "../runtime/logger.ts";
import { Manager } from "../runtime/manager.ts";
import { ArtifactStore } from "../source/artifact-store.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../dev/processes.ts";
import { startArtifactServer } from "./artifact-server.ts";

export const knownControllers = [
  "gitrepository",
  "kustomization",
  "imagerepository",
  "imagepolicy",
  "imageupdateautomation",
  "receiver",
  "alert",
] as const;
export type ControllerName = (typeof knownControllers)[number];

export interface ServerOptions {
  access: ClusterAccess;
  controllers: ControllerName[];
  concurrency: number;
  /** where artifacts and git mirrors live */
  storagePath: string;
  /** the artifact server listens here */
  storageHost: string;
  storagePort: number;
  /** host:port in artifact URLs (what clients reach); default the listening address */
  storageAdvertisedAddress?: string | undefined;
  healthHost: string;
  healthPort: number;
  leaderElection?: { namespace: string; name: string } | undefined;
  allowFileUrls: boolean;
  /** watch only this namespace (default: all namespaces) */
  namespace?: string | undefined;
  /** refuse Kustomization references into other namespaces */
  noCrossNamespaceRefs?: boolean | undefined;
  /** fail on postBuild variables without a value or default */
  strictSubstitution?: boolean | undefined;
  /** where webhook Receivers are served (with the "receiver" controller); port 0 picks a free one */
  receiverHost?: string | undefined;
  receiverPort?: number | undefined;
  /** end the image automation's default commit message with [ci skip] (default true) */
  ciSkip?: boolean | undefined;
  /** requests per second, burst and concurrency allowed per registry host (default 20/s, 40, 10) */
  registryLimit?: Partial<RegistryLimit> | undefined;
  /** kustomize binary (default: the pinned one built by scripts/build-upstream.sh) */
  kustomizeBinary?: string | undefined;
  logger: Logger;
}

export interface RunningServer {
  artifactUrl: string;
  /** the receiver server's URL, when the "receiver" controller runs */
  receiverUrl?: string | undefined;
  healthUrl: string;
  manager: Manager;
  /** resolves when the server has shut down */
  done: Promise<void>;
}

function advertised(options: ServerOptions, port: number): string {
  if (options.storageAdvertisedAddress) return `http://${options.storageAdvertisedAddress}`;
  const wildcard = options.storageHost === "0.0.0.0" || options.storageHost === "::";
  return `http://${wildcard ? os.hostname() : options.storageHost}:${port}`;
}

function buildManager(client: KubeClient, options: ServerOptions): Manager {
  const election = options.leaderElection;
  return new Manager({
    client,
    logger: options.logger,
    health: { host: options.healthHost, port: options.healthPort },
    ...(election ? { leaderElection: { namespace: election.namespace, name: election.name } } : {}),
  });
}

/** `sluice server`: the controllers, the artifact server and the health/metrics server, until `signal` aborts. */
export async function startServer(options: ServerOptions, signal: AbortSignal): Promise<RunningServer> {
  const client = new KubeClient(options.access, { connections: 32 });
  // artifact URLs need the port before the server listens
  const storagePort = options.storagePort || (await freePort(options.storageHost));
  const store = new ArtifactStore({
    root: path.join(options.storagePath, "artifacts"),
    baseUrl: advertised(options, storagePort),
  });
  const artifacts = await startArtifactServer({ store, host: options.storageHost, port: storagePort });
  const manager = buildManager(client, options);
  const extras = await startControllers(manager, client, options, store);
  const running = manager.run(signal);
  await waitForHealth(manager, signal);
  const health = manager.healthAddress!;
  options.logger.info(
    {
      artifacts: artifacts.url,
      health: `${health.address}:${health.port}`,
      controllers: options.controllers,
    },
    "sluice server started",
  );
  const done = running.finally(async () => {
    for (const extra of extras.values()) await extra.close();
    await artifacts.close();
    await client.close();
  });
  return {
    artifactUrl: artifacts.url,
    receiverUrl: extras.get("receiver")?.url,
    healthUrl: `http://${health.address}:${health.port}`,
    manager,
    done,
  };
}

async function waitForHealth(manager: Manager, signal: AbortSignal): Promise<void> {
  while (!manager.healthAddress && !signal.aborted) await sleep(20);
}
