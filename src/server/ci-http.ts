/**
 * The CI HTTP API in `sluice server`: the store under `<storage>/ci`, the token key beside it
 * (kept, so restarts keep logins), local users and ServiceAccount tokens, on one HttpServer.
 * The store and engine are the caller's, so the CI engine's wiring can share them.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  Auth,
  ciApiRouter,
  hijackHandler,
  LocalUsers,
  MAIN_TEAM,
  serviceAccountReviewer,
  storedMemberships,
  TokenSigner,
  type ApiDeps,
  type LocalUser,
} from "../ci/api/index.ts";
import type { EngineControl } from "../ci/engine/control.ts";
import { SqlCiStore, type CiStore } from "../ci/store/index.ts";
import { HttpServer } from "../http/server.ts";
import { singlePageApp } from "../http/static-files.ts";
import { cdRoutes } from "./cd-routes.ts";
import { traceRoutes } from "./trace-routes.ts";
import { ConfigHistory } from "../trace/config-history.ts";
import { DeliveryTracer } from "../trace/index.ts";
import { KustomizationHistory } from "../trace/revisions.ts";
import { projectRoot } from "../common/toolchain.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Logger } from "../runtime/logger.ts";
import type { ListenAddress } from "./controllers.ts";

export interface CiHttpOptions {
  listen: ListenAddress;
  /** where the token key is kept */
  storagePath: string;
  localUsers: readonly LocalUser[];
  /** The web UI's build (default: ui/dist of this checkout). */
  uiDir?: string | undefined;
  /** `--main-team-local-user`: who of the local users is in main (default: all of them). */
  mainTeamLocalUsers?: readonly string[] | undefined;
  version: string;
  /** checks ServiceAccount tokens with TokenReview */
  kube?: KubeClient | undefined;
  logger?: Logger | undefined;
}

export const ciDataDir = (storagePath: string) => path.join(storagePath, "ci");

/** The server's CI store: PostgreSQL when given its URL (replicas sharing the work), else SQLite under the storage path. */
export function openCiStore(storagePath: string, databaseUrl?: string): Promise<SqlCiStore> {
  return databaseUrl
    ? SqlCiStore.openPostgres({ url: databaseUrl })
    : SqlCiStore.openSqlite({ dataDir: ciDataDir(storagePath) });
}

/** The API's HTTP server (a runnable for the manager), on the caller's store and engine. */
export async function ciHttpServer(
  parts: Omit<ApiDeps, "auth">,
  options: CiHttpOptions,
): Promise<HttpServer> {
  await parts.store.ensureTeam(MAIN_TEAM);
  const auth = new Auth({
    signer: new TokenSigner(await tokenKey(parts.store, ciDataDir(options.storagePath))),
    users: new LocalUsers(options.localUsers, options.mainTeamLocalUsers),
    memberships: storedMemberships(parts.store),
    reviewServiceAccount: options.kube ? serviceAccountReviewer(options.kube) : undefined,
  });
  const deps = { ...parts, auth };
  const router = ciApiRouter(deps, { version: options.version });
  if (options.kube) {
    cdRoutes(router, { auth, kube: options.kube });
    const history = new ConfigHistory(path.join(options.storagePath, "trace-mirrors"), options.kube);
    traceRoutes(router, {
      auth,
      kube: options.kube,
      tracer: new DeliveryTracer(parts.store, options.kube, history),
      history: new KustomizationHistory(options.kube, history),
    });
  }
  await singlePageApp(router, {
    dir: options.uiDir ?? path.join(projectRoot, "ui/dist"),
    reserved: ["/api/", "/sky/"],
    missing: "the web UI is not built: run make setup (it builds ui/ with Vite)",
  });
  return new HttpServer({
    name: "ci-api",
    router,
    upgrade: hijackHandler(deps),
    ...options.listen,
    ...(options.logger ? { logger: options.logger } : {}),
    // uploads for execute stream whole directories
    limits: { requestTimeoutMs: 10 * 60_000 },
    // the webhook check carries its token in the query, which access logs never show
  });
}

/**
 * The key that signs the API's tokens, shared by every replica through the store. A key an older
 * Sluice kept in `<data dir>/token-key` seeds it, so tokens given before an upgrade stay valid.
 */
function tokenKey(store: CiStore, dir: string): Promise<Buffer> {
  return store.sharedSecret("token-key", async () => {
    try {
      return await readFile(path.join(dir, "token-key"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return randomBytes(32);
    }
  });
}

/** What the API is given while no CI engine runs in this server: checks fail saying so, nothing is followed. */
export const noEngine: EngineControl = {
  checkResource: () => {
    const now = Date.now();
    return Promise.resolve({ startedAt: now, endedAt: now, error: "no CI engine runs in this server" });
  },
  schedule: () => undefined,
  abortBuild: () => false,
  followBuild: () => () => undefined,
  jobWaiting: () => undefined,
};
