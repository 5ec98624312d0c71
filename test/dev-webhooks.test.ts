import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import type { KubeObject } from "../src/kube/objects.ts";
import { addWebhook } from "../src/dev/webhooks.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { startTestServer } from "./helpers/server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyTrue,
  waitForGitRepository,
} from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

type Obj = KubeObject & {
  status?: {
    webhookPath?: string;
    lastScanResult?: { tagCount: number };
    conditions?: { type: string; status: string }[];
  };
};

test("the environment's git server and registry send real webhooks that receivers act on", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "dev-hooks");
  const server = await startTestServer(t, client, {
    namespace: ns,
    controllers: ["gitrepository", "imagerepository", "receiver"],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
  });
  const token = randomBytes(16).toString("hex");
  await client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name: "hook", namespace: ns }, stringData: { token } },
    { fieldManager: "test" },
  );
  const repo = `hooks-${ns}`;
  const first = await pushRepo(env, repo, { "a.yaml": "v: 1\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url: first.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await waitForGitRepository(client, ns, "config", readyTrue, "Ready");
  const image = `hooks/${ns}`;
  await pushTestImage(env, image, ["1.0.0"]);
  await client.apply(
    {
      apiVersion: "image.toolkit.fluxcd.io/v1",
      kind: "ImageRepository",
      metadata: { name: "app", namespace: ns },
      spec: { image: `${env.registry}/${image}`, interval: "1h", insecure: true },
    },
    { fieldManager: "test" },
  );

  const receivers = [
    ["git", "github", [{ kind: "GitRepository", name: "config" }]],
    ["registry", "distribution", [{ kind: "ImageRepository", name: "app" }]],
  ] as const;
  for (const [name, type, resources] of receivers) {
    await client.apply(
      {
        apiVersion: "notification.toolkit.fluxcd.io/v1",
        kind: "Receiver",
        metadata: { name, namespace: ns },
        spec: { type, resources, secretRef: { name: "hook" } },
      },
      { fieldManager: "test" },
    );
    const path = await waitFor(
      `Receiver ${name} path`,
      async () =>
        (await client.get<Obj>("notification.toolkit.fluxcd.io/v1", "Receiver", name, ns)).status
          ?.webhookPath,
    );
    await addWebhook(env.dir, { url: `${server.receiverUrl}${path}`, type, token });
  }
  await waitFor("first scan", async () =>
    (await client.get<Obj>("image.toolkit.fluxcd.io/v1", "ImageRepository", "app", ns)).status?.lastScanResult
      ?.tagCount === 1
      ? true
      : undefined,
  );

  const pushed = Date.now();
  const second = await pushRepo(env, repo, { "a.yaml": "v: 2\n" });
  await waitForGitRepository(
    client,
    ns,
    "config",
    (o) => o.status?.artifact?.revision === `main@sha1:${second.sha}`,
    "fetched after the push webhook",
    10_000,
  );
  const gitMs = Date.now() - pushed;

  const imagePushed = Date.now();
  await pushTestImage(env, image, ["1.1.0"], { "v.txt": "1.1.0" });
  await waitFor(
    "scanned after the registry notification",
    async () =>
      (await client.get<Obj>("image.toolkit.fluxcd.io/v1", "ImageRepository", "app", ns)).status
        ?.lastScanResult?.tagCount === 2
        ? true
        : undefined,
    { timeoutMs: 15_000 },
  );
  const registryMs = Date.now() - imagePushed;
  assert.ok(gitMs < 5000 && registryMs < 10_000, `git ${gitMs} ms, registry ${registryMs} ms`);
});
