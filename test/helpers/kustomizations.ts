import type { TestContext } from "node:test";
import type { KubeClient } from "../../src/kube/client.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { ServerOptions } from "../../src/server/server.ts";
import { testEnv } from "./env.ts";
import { pushRepo } from "./git.ts";
import { adminClient, testNamespace } from "./kube.ts";
import { startTestServer } from "./server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyTrue,
  waitForGitRepository,
  type Condition,
} from "./sources.ts";
import { waitFor } from "./wait.ts";

export const ksApi = "kustomize.toolkit.fluxcd.io/v1";
export type KustomizationObject = KubeObject & {
  status?: {
    conditions?: Condition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    observedGeneration?: number;
    inventory?: { entries: { id: string; v: string }[] };
  };
};

/**
 * A namespace watched by its own server running both controllers (or what `server(namespace)`
 * says), and a git repository with `files` as its source.
 */
export async function deliveryFixture(
  t: TestContext,
  prefix: string,
  files: Record<string, string>,
  server: (namespace: string) => Partial<ServerOptions> = () => ({}),
) {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, prefix);
  const running = await startTestServer(t, client, {
    namespace: ns,
    controllers: ["gitrepository", "kustomization"],
    ...server(ns),
  });
  const repo = `${prefix}-${ns}`;
  const pushed = await pushRepo(env, repo, files);
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "source", {
    url: pushed.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await waitForGitRepository(client, ns, "source", readyTrue, "source Ready");
  /** Pushes new files and asks the source to fetch them; Kustomizations follow on their own. */
  const push = async (next: Record<string, string>, message?: string) => {
    const { sha } = await pushRepo(env, repo, next, message ? { message } : {});
    await client.patch(
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "source", namespace: ns },
      {
        metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } },
      },
    );
    return sha;
  };
  return { env, client, ns, server: running, sha: pushed.sha, push };
}

export async function applyKustomization(
  client: KubeClient,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion = ksApi,
) {
  await client.apply(
    {
      apiVersion,
      kind: "Kustomization",
      metadata: { name, namespace: ns },
      spec: { interval: "1h", sourceRef: { kind: "GitRepository", name: "source" }, ...spec },
    },
    { fieldManager: "test", force: true },
  );
}

export const ksCondition = (o: KustomizationObject, type = "Ready") =>
  o.status?.conditions?.find((c) => c.type === type);

export async function waitForKustomization(
  client: KubeClient,
  ns: string,
  name: string,
  accept: (o: KustomizationObject, ready: Condition | undefined) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<KustomizationObject> {
  const get = () => client.get<KustomizationObject>(ksApi, "Kustomization", name, ns);
  return waitFor(
    `Kustomization ${ns}/${name}: ${what}`,
    async () => {
      const o = await get();
      return accept(o, ksCondition(o)) ? o : undefined;
    },
    { timeoutMs, describe: async () => JSON.stringify((await get()).status?.conditions) },
  );
}

export const appliedRevision = (revision: string) => (o: KustomizationObject, ready: Condition | undefined) =>
  ready?.status === "True" &&
  o.status?.lastAppliedRevision === revision &&
  o.status.observedGeneration === o.metadata.generation;

export const failedWith = (reason: string) => (_o: KustomizationObject, ready: Condition | undefined) =>
  ready?.status === "False" && ready.reason === reason;

export async function exists(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  name: string,
  ns?: string,
): Promise<boolean> {
  return client.get(apiVersion, kind, name, ns).then(
    () => true,
    () => false,
  );
}
