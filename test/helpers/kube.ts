import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { KubeClient } from "../../src/kube/client.ts";
import { loadKubeconfig } from "../../src/kube/kubeconfig.ts";
import { testEnv } from "./env.ts";

/** An admin client for the shared test cluster, closed when the test ends. */
export async function adminClient(t: TestContext): Promise<KubeClient> {
  const client = new KubeClient(await loadKubeconfig((await testEnv()).kubeconfig));
  t.after(() => client.close());
  return client;
}

/** A fresh namespace for one test (isolation on the shared cluster), deleted afterwards. */
export async function testNamespace(t: TestContext, client: KubeClient, prefix = "t"): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  t.after(() => client.delete("v1", "Namespace", name).catch(() => {}));
  return name;
}
