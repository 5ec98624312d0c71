import path from "node:path";
import type { HttpServer } from "../http/server.ts";
import type { RegistryLimit } from "../oci/registry-limiter.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Manager } from "../runtime/manager.ts";
import type { ArtifactStore } from "../source/artifact-store.ts";
import type { ControllerName } from "./server.ts";

export interface ListenAddress {
  host: string;
  /** 0 picks a free port */
  port: number;
}

export interface GitRepositoryOptions {
  /** let GitRepositories read file:// URLs on this machine (default false) */
  allowFileUrls?: boolean | undefined;
}

export interface KustomizationOptions {
  /** refuse Kustomization references into other namespaces */
  noCrossNamespaceRefs?: boolean | undefined;
  /** fail on postBuild variables without a value or default */
  strictSubstitution?: boolean | undefined;
  /** kustomize binary (default: the pinned one built by scripts/build-upstream.sh) */
  kustomizeBinary?: string | undefined;
}

export interface ImageOptions {
  /** requests per second, burst and concurrency allowed per registry host (default 20/s, 40, 10) */
  registryLimit?: Partial<RegistryLimit> | undefined;
  /** end the image automation's default commit message with [ci skip] (default true) */
  ciSkip?: boolean | undefined;
}

export interface ReceiverOptions {
  /** where webhook Receivers are served (default 0.0.0.0:9292) */
  listen?: Partial<ListenAddress> | undefined;
}

/** What the controllers are told: which run, what they share, and each one's own settings. */
export interface ControllersOptions {
  controllers: ControllerName[];
  /** reconciles at once per controller */
  concurrency: number;
  /** watch only this namespace (default: all namespaces) */
  namespace?: string | undefined;
  /** where artifacts, git mirrors, image tags and automation clones live */
  storagePath: string;
  gitRepository?: GitRepositoryOptions | undefined;
  kustomization?: KustomizationOptions | undefined;
  image?: ImageOptions | undefined;
  receivers?: ReceiverOptions | undefined;
}

/** HTTP servers the controllers brought, for their addresses (the manager runs them). */
export interface ControllerServers {
  receivers?: HttpServer;
}

interface Context {
  manager: Manager;
  client: KubeClient;
  options: ControllersOptions;
  store: ArtifactStore;
  shared: Map<string, unknown>;
  servers: ControllerServers;
}

/** Objects several controllers share (one tag store, one registry limit), made by the first that needs them. */
function shared<T>(ctx: Context, key: string, make: () => T): T {
  if (!ctx.shared.has(key)) ctx.shared.set(key, make());
  return ctx.shared.get(key) as T;
}

async function imageDeps(ctx: Context) {
  const { TagStore } = await import("../image/tag-store.ts");
  const { RegistryLimiter } = await import("../oci/registry-limiter.ts");
  const o = ctx.options;
  const limit = o.image?.registryLimit;
  return {
    tags: shared(ctx, "tags", () => new TagStore(path.join(o.storagePath, "tags"))),
    limiter: shared(ctx, "limiter", () => new RegistryLimiter(limit ? { limit } : {})),
    concurrency: o.concurrency,
    namespace: o.namespace,
  };
}

/**
 * How each controller is set up. Modules are loaded only for the controllers asked for, so a
 * server running one controller does not hold the code (and memory) of all of them.
 */
const starters: Record<ControllerName, (ctx: Context) => Promise<void>> = {
  async gitrepository(ctx) {
    const { setupGitRepositoryController } = await import("../controllers/gitrepository/setup.ts");
    const { MirrorCache } = await import("../git/mirror-cache.ts");
    const o = ctx.options;
    setupGitRepositoryController(ctx.manager, {
      store: ctx.store,
      mirrors: new MirrorCache(path.join(o.storagePath, "mirrors")),
      allowFileUrls: o.gitRepository?.allowFileUrls ?? false,
      concurrency: o.concurrency,
      namespace: o.namespace,
    });
  },
  async kustomization(ctx) {
    const { setupKustomizationController } = await import("../controllers/kustomization/setup.ts");
    const { upstreamBinary } = await import("../common/toolchain.ts");
    const o = ctx.options;
    const own = o.kustomization ?? {};
    setupKustomizationController(ctx.manager, {
      kustomizeBinary: own.kustomizeBinary ?? (await upstreamBinary("kustomize")),
      concurrency: o.concurrency,
      namespace: o.namespace,
      noCrossNamespaceRefs: own.noCrossNamespaceRefs ?? false,
      strictSubstitution: own.strictSubstitution ?? false,
    });
  },
  async imagerepository(ctx) {
    const { setupImageRepositoryController } = await import("../controllers/imagerepository/setup.ts");
    setupImageRepositoryController(ctx.manager, await imageDeps(ctx));
  },
  async imagepolicy(ctx) {
    const { setupImagePolicyController } = await import("../controllers/imagepolicy/setup.ts");
    setupImagePolicyController(ctx.manager, await imageDeps(ctx));
  },
  async imageupdateautomation(ctx) {
    const { setupImageUpdateAutomationController } =
      await import("../controllers/imageupdateautomation/setup.ts");
    const { AutomationClones } = await import("../controllers/imageupdateautomation/workspace.ts");
    const o = ctx.options;
    setupImageUpdateAutomationController(ctx.manager, {
      clones: new AutomationClones(path.join(o.storagePath, "automation")),
      concurrency: o.concurrency,
      namespace: o.namespace,
      ciSkip: o.image?.ciSkip ?? true,
    });
  },
  async receiver(ctx) {
    const { setupReceivers } = await import("./receivers/setup.ts");
    const o = ctx.options;
    ctx.servers.receivers = setupReceivers(ctx.manager, ctx.client, {
      concurrency: o.concurrency,
      namespace: o.namespace,
      listen: o.receivers?.listen,
    });
  },
  async alert(ctx) {
    const { setupAlerts } = await import("../controllers/alert/setup.ts");
    setupAlerts(ctx.manager, ctx.client, { namespace: ctx.options.namespace });
  },
};

/** Registers the selected controllers, and what they run besides reconcilers, with the manager. */
export async function setupControllers(
  manager: Manager,
  client: KubeClient,
  options: ControllersOptions,
  store: ArtifactStore,
): Promise<ControllerServers> {
  const ctx: Context = { manager, client, options, store, shared: new Map(), servers: {} };
  for (const name of options.controllers) await starters[name](ctx);
  return ctx.servers;
}
