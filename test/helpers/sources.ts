import { createHash } from "node:crypto";
import type { TestContext } from "node:test";
import type { KubeClient } from "../../src/kube/client.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { extractTarGz } from "../../src/source/tar-gz.ts";
import { testEnv } from "./env.ts";
import { adminClient, testNamespace } from "./kube.ts";
import { startTestServer } from "./server.ts";
import { waitFor } from "./wait.ts";

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
export type GitRepositoryObject = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Condition[];
    artifact?: {
      revision: string;
      digest: string;
      url: string;
      path: string;
      size: number;
      lastUpdateTime: string;
    };
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    observedIgnore?: string;
    includedArtifacts?: unknown[];
  };
};

export const gitRepositoryApi = "source.toolkit.fluxcd.io/v1";

/** A namespace with its own server watching it, the admin client and the git credentials Secret. */
export async function sourceFixture(t: TestContext, prefix: string) {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, prefix);
  const server = await startTestServer(t, client, { namespace: ns });
  return { env, client, ns, server };
}

export async function createGitAuthSecret(
  client: KubeClient,
  ns: string,
  name: string,
  username: string,
  password: string,
) {
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: ns },
      stringData: { username, password },
    },
    { fieldManager: "test", force: true },
  );
}

export async function applyGitRepository(
  client: KubeClient,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion = gitRepositoryApi,
): Promise<void> {
  await client.apply(
    { apiVersion, kind: "GitRepository", metadata: { name, namespace: ns }, spec },
    { fieldManager: "test", force: true },
  );
}

export const conditionOf = (obj: GitRepositoryObject, type = "Ready") =>
  obj.status?.conditions?.find((c) => c.type === type);

/** Waits until the object's Ready condition satisfies `accept` (and the generation was observed when Ready). */
export async function waitForGitRepository(
  client: KubeClient,
  ns: string,
  name: string,
  accept: (obj: GitRepositoryObject, ready: Condition | undefined) => boolean,
  what = "the expected status",
  timeoutMs = 30_000,
): Promise<GitRepositoryObject> {
  const get = () => client.get<GitRepositoryObject>(gitRepositoryApi, "GitRepository", name, ns);
  return waitFor(
    `GitRepository ${ns}/${name}: ${what}`,
    async () => {
      const obj = await get();
      return accept(obj, conditionOf(obj)) ? obj : undefined;
    },
    { timeoutMs, describe: async () => JSON.stringify((await get()).status) },
  );
}

export const readyTrue = (obj: GitRepositoryObject, ready: Condition | undefined) =>
  ready?.status === "True" && obj.status?.observedGeneration === obj.metadata.generation;

export const readyFalse = (reason: string) => (_obj: GitRepositoryObject, ready: Condition | undefined) =>
  ready?.status === "False" && ready.reason === reason;

/** Downloads an artifact, checks its digest, and returns its files by path. */
export async function fetchArtifact(artifact: { url: string; digest: string }): Promise<Map<string, string>> {
  const res = await fetch(artifact.url);
  if (!res.ok) throw new Error(`GET ${artifact.url}: HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== artifact.digest)
    throw new Error(`artifact digest ${digest} differs from status ${artifact.digest}`);
  const files = new Map<string, string>();
  for (const e of extractTarGz(bytes))
    if (e.type === "file") files.set(e.path, Buffer.from(e.content).toString("utf8"));
  return files;
}

/** Sets reconcile.fluxcd.io/requestedAt and returns the value. */
export async function requestReconcile(client: KubeClient, ns: string, name: string): Promise<string> {
  const at = new Date().toISOString();
  await client.patch(
    { apiVersion: gitRepositoryApi, kind: "GitRepository", name, namespace: ns },
    {
      metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } },
    },
  );
  return at;
}
