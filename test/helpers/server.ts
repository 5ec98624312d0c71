import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { crds } from "../../src/api/registry.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { installCrds } from "../../src/install/apply.ts";
import { loadKubeconfig } from "../../src/kube/kubeconfig.ts";
import { silentLogger } from "../../src/runtime/logger.ts";
import type { CiOptions } from "../../src/server/ci-engine.ts";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/server.ts";
import { testEnv } from "./env.ts";

/** Applies every CRD Sluice serves and waits until the API server serves them. */
export async function ensureCrds(client: KubeClient): Promise<void> {
  await installCrds(client, crds);
}

/** A `sluice server` running in this test process against the shared cluster, stopped when the test ends. */
export async function startTestServer(
  t: TestContext,
  client: KubeClient,
  overrides: Partial<ServerOptions> = {},
): Promise<RunningServer & { stop: () => Promise<void> }> {
  await ensureCrds(client);
  const storagePath = await mkdtemp(path.join(os.tmpdir(), "sluice-server-"));
  const stop = new AbortController();
  const server = await startServer(
    {
      access: await loadKubeconfig((await testEnv()).kubeconfig),
      controllers: ["gitrepository"],
      concurrency: 4,
      storagePath,
      artifacts: { listen: { host: "127.0.0.1", port: 0 } },
      health: { host: "127.0.0.1", port: 0 },
      logger: silentLogger(),
      ...overrides,
    },
    stop.signal,
  );
  const stopped = async () => {
    stop.abort();
    await server.done;
  };
  t.after(async () => {
    await stopped();
    await rm(storagePath, { recursive: true, force: true });
  });
  return { ...server, stop: stopped };
}

export interface CiServerOptions {
  /** The local users, all with the password answered (default: `admin`). */
  users?: string[];
  /** That password (default: a new random one). */
  password?: string;
  /** More of the CI engine's options (`mainTeamLocalUsers`, `postgresUrl`…). */
  ci?: Partial<CiOptions>;
  /** More of the server's (`controllers`, `namespace`, `leaderElection`…). */
  server?: Partial<ServerOptions>;
}

/**
 * A server running the CI engine and its API (and no controllers unless `options.server` says),
 * with local users and the base images' mirror, as `sluice dev up --server` starts it.
 */
export async function startCiServer(
  t: TestContext,
  client: KubeClient,
  env: { imageMirror?: string | undefined },
  options: CiServerOptions = {},
): Promise<{ server: Awaited<ReturnType<typeof startTestServer>>; url: string; password: string }> {
  const password = options.password ?? randomBytes(9).toString("hex");
  const server = await startTestServer(t, client, {
    controllers: [],
    ...options.server,
    ci: {
      tick: 200,
      listen: { host: "127.0.0.1", port: 0 },
      localUsers: (options.users ?? ["admin"]).map((name) => ({ name, password })),
      ...(env.imageMirror && { registryMirrors: [`docker.io=${env.imageMirror}/docker.io`] }),
      ...options.ci,
    },
  });
  return { server, url: server.ciUrl!, password };
}
