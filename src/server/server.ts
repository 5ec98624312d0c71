/**
 * `sluice server`: wires the parts together. The manager runs everything long-lived: the health
 * server first, then the artifact server and the receivers' server (every replica), then, while
 * leading, the alert dispatcher, the controllers and the CI engine; each part gets only its own
 * options.
 */
import os from "node:os";
import path from "node:path";
import { KubeClient } from "../kube/client.ts";
import type { ClusterAccess } from "../kube/kubeconfig.ts";
import type { Logger } from "../runtime/logger.ts";
import { Manager } from "../runtime/manager.ts";
import { ArtifactStore } from "../source/artifact-store.ts";
import { artifactServer } from "./artifact-server.ts";
import { setupCiEngine, type CiOptions, type RunningCi } from "./ci-engine.ts";
import { setupControllers, type ControllersOptions, type ListenAddress } from "./controllers.ts";
import type { FluxV1Options } from "./flux-v1/objects.ts";
import { FluxV1Sync } from "./flux-v1/sync.ts";

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

export interface ArtifactServingOptions {
  /** the artifact server listens here */
  listen: ListenAddress;
  /** host:port in artifact URLs (what clients reach); default the listening address */
  advertisedAddress?: string | undefined;
}

export interface ServerOptions extends ControllersOptions {
  access: ClusterAccess;
  logger: Logger;
  artifacts: ArtifactServingOptions;
  /** /metrics, /healthz, /readyz */
  health: ListenAddress;
  /** run controllers only while holding this Lease */
  leaderElection?: { namespace: string; name: string } | undefined;
  /** runs the CI engine (see ci-engine.ts); absent: no CI */
  ci?: CiOptions | undefined;
  /** Weave Flux v1 daemon flags, mapped onto the Flux v2 objects (see flux-v1/) */
  fluxV1?: FluxV1Options | undefined;
}

export interface RunningServer {
  artifactUrl: string;
  /** the receiver server's URL, when the "receiver" controller runs */
  receiverUrl?: string | undefined;
  healthUrl: string;
  /** the CI API's URL, when it is served */
  ciUrl?: string | undefined;
  manager: Manager;
  /** the CI store and engine, when CI runs */
  ci?: RunningCi | undefined;
  /** resolves when the server has shut down */
  done: Promise<void>;
}

/** The artifact URL base: the advertised address, else the listening one (the host name for a wildcard). */
function artifactBaseUrl(options: ArtifactServingOptions, port: number): string {
  if (options.advertisedAddress) return `http://${options.advertisedAddress}`;
  const host = options.listen.host;
  const wildcard = host === "0.0.0.0" || host === "::";
  return `http://${wildcard ? os.hostname() : host}:${port}`;
}

function buildManager(client: KubeClient, options: ServerOptions): Manager {
  const election = options.leaderElection;
  return new Manager({
    client,
    logger: options.logger,
    health: options.health,
    ...(election ? { leaderElection: { namespace: election.namespace, name: election.name } } : {}),
  });
}

/** Starts `sluice server` and resolves once its servers listen; it runs until `signal` aborts. */
export async function startServer(options: ServerOptions, signal: AbortSignal): Promise<RunningServer> {
  const client = new KubeClient(options.access, { connections: 32 });
  const manager = buildManager(client, options);
  const store = new ArtifactStore({
    root: path.join(options.storagePath, "artifacts"),
    // artifact URLs are made by reconciles, which run after the artifact server listens
    baseUrl: () => artifactBaseUrl(options.artifacts, artifacts.address!.port),
  });
  const artifacts = artifactServer({ store, ...options.artifacts.listen, logger: options.logger });
  manager.add(artifacts);
  const servers = await setupControllers(manager, client, options, store);
  if (options.fluxV1)
    manager.add(new FluxV1Sync(client, options.fluxV1, options.logger), { leaderOnly: true });
  const ci = options.ci && (await setupCiEngine(manager, client, { ...options, ci: options.ci }));
  const close = async () => {
    await client.close();
    await ci?.store.close();
  };
  const running = manager.run(signal);
  try {
    await Promise.race([manager.whenStarted(), running]);
  } catch (err) {
    await close();
    throw err;
  }
  const health = manager.healthAddress!;
  options.logger.info(
    {
      artifacts: artifacts.url,
      health: `${health.address}:${health.port}`,
      controllers: options.controllers,
    },
    "sluice server started",
  );
  return {
    artifactUrl: artifacts.url,
    receiverUrl: servers.receivers?.url,
    healthUrl: `http://${health.address}:${health.port}`,
    ciUrl: ci?.http?.url,
    manager,
    ci,
    done: running.finally(close),
  };
}
