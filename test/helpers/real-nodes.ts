import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { DevEnv } from "../../src/dev/env-file.ts";
import { devDown, devUp } from "../../src/dev/environment.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { loadKubeconfig } from "../../src/kube/kubeconfig.ts";

/**
 * An environment of the test's own with `kwokNodes` kwok nodes (default one) and one real node
 * (the shared one has no real node), torn down, then removed, when the test ends: its directory
 * holds the node's mounts until dev down.
 */
export async function realNodeEnv(
  t: TestContext,
  prefix: string,
  kwokNodes = 1,
): Promise<{ dir: string; env: DevEnv; client: KubeClient }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(async () => {
    await devDown(dir);
    await rm(dir, { recursive: true, force: true });
  });
  const { env } = await devUp({ dir, nodes: kwokNodes, realNodes: 1 });
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  t.after(() => client.close());
  return { dir, env, client };
}
