import path from "node:path";
import type { KubeClient } from "../kube/client.ts";
import type { Manager } from "../runtime/manager.ts";
import type { ArtifactStore } from "../source/artifact-store.ts";
import type { ControllerName, ServerOptions } from "./server.ts";

/** Something a controller started besides its reconciler, stopped when the server stops. */
export interface Extra {
  url?: string;
  close(): Promise<void>;
}

interface Context {
  manager: Manager;
  client: KubeClient;
  options: ServerOptions;
  store: ArtifactStore;
  shared: Map<string, unknown>;
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
  return {
    tags: shared(ctx, "tags", () => new TagStore(path.join(o.storagePath, "tags"))),
    limiter: shared(
      ctx,
      "limiter",
      () => new RegistryLimiter(o.registryLimit ? { limit: o.registryLimit } : {}),
    ),
    concurrency: o.concurrency,
    namespace: o.namespace,
  };
}

/**
 * How each controller is started. Modules are loaded only for the controllers asked for, so a
 * server running one controller does not hold the code (and memory) of all of them.
 */
const starters: Record<ControllerName, (ctx: Context) => Promise<Extra | void>> = {
  async gitrepository(ctx) {
    const { setupGitRepositoryController } = await import("../controllers/gitrepository/setup.ts");
    const { MirrorCache } = await import("../git/mirror-cache.ts");
    const o = ctx.options;
    setupGitRepositoryController(ctx.manager, {
      store: ctx.store,
      mirrors: new MirrorCache(path.join(o.storagePath, "mirrors")),
      allowFileUrls: o.allowFileUrls,
      concurrency: o.concurrency,
      namespace: o.namespace,
    });
  },
  async kustomization(ctx) {
    const { setupKustomizationController } = await import("../controllers/kustomization/setup.ts");
    const { upstreamBinary } = await import("../common/toolchain.ts");
    const o = ctx.options;
    setupKustomizationController(ctx.manager, {
      kustomizeBinary: o.kustomizeBinary ?? (await upstreamBinary("kustomize")),
      concurrency: o.concurrency,
      namespace: o.namespace,
      noCrossNamespaceRefs: o.noCrossNamespaceRefs ?? false,
      strictSubstitution: o.strictSubstitution ?? false,
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
      ciSkip: o.ciSkip ?? true,
    });
  },
  async receiver(ctx) {
    const { startReceivers } = await import("./receivers/start.ts");
    return startReceivers(ctx.manager, ctx.client, ctx.options);
  },
  async alert(ctx) {
    const { setupAlerts } = await import("../controllers/alert/setup.ts");
    return setupAlerts(ctx.manager, ctx.client, ctx.options);
  },
};

/** Registers the selected controllers with the manager; returns what must be closed on shutdown. */
export async function startControllers(
  manager: Manager,
  client: KubeClient,
  options: ServerOptions,
  store: ArtifactStore,
): Promise<Map<ControllerName, Extra>> {
  const ctx: Context = { manager, client, options, store, shared: new Map() };
  const extras = new Map<ControllerName, Extra>();
  for (const name of options.controllers) {
    const extra = await starters[name](ctx);
    if (extra) extras.set(name, extra);
  }
  return extras;
}
