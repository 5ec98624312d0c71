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

/** A new ServiceAccount `name` in `namespace` and a token of it (TokenRequest, 10 minutes). */
export async function serviceAccountToken(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<string> {
  await client.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
  const request = await client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      },
    },
  );
  return request.status.token;
}
