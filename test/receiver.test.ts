import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { startTestServer } from "./helpers/server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyTrue,
  waitForGitRepository,
} from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const api = "notification.toolkit.fluxcd.io/v1";
type Receiver = KubeObject & {
  status?: { webhookPath?: string; conditions?: { type: string; status: string; message: string }[] };
};

async function receiver(
  client: KubeClient,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<string> {
  await client.apply(
    {
      apiVersion: api,
      kind: "Receiver",
      metadata: { name, namespace: ns },
      spec: { secretRef: { name: "webhook-token" }, ...spec },
    },
    { fieldManager: "test", force: true },
  );
  const ready = await waitFor(`Receiver ${name} Ready`, async () => {
    const r = await client.get<Receiver>(api, "Receiver", name, ns);
    return r.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? r : undefined;
  });
  return ready.status!.webhookPath!;
}

const sign = (body: string, token: string) =>
  `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;

test("a signed GitHub push webhook makes the GitRepository fetch at once; a bad signature changes nothing", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "recv");
  const server = await startTestServer(t, client, {
    namespace: ns,
    controllers: ["gitrepository", "receiver"],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
  });
  const repo = `recv-${ns}`;
  const first = await pushRepo(env, repo, { "a.yaml": "v: 1\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url: first.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await waitForGitRepository(client, ns, "config", readyTrue, "Ready");
  const token = "a-long-webhook-token-0123456789";
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "webhook-token", namespace: ns },
      stringData: { token },
    },
    { fieldManager: "test" },
  );
  const path = await receiver(client, ns, "github", {
    type: "github",
    events: ["push"],
    resources: [{ kind: "GitRepository", name: "config" }],
  });
  assert.match(path, /^\/hook\/[0-9a-f]{64}$/);

  const second = await pushRepo(env, repo, { "a.yaml": "v: 2\n" });
  const body = JSON.stringify({ ref: "refs/heads/main", after: second.sha });
  const bad = await fetch(`${server.receiverUrl}${path}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": sign(body, "wrong"),
    },
  });
  assert.equal(bad.status, 401);
  assert.equal(
    (await fetch(`${server.receiverUrl}/hook/${"0".repeat(64)}`, { method: "POST", body })).status,
    404,
  );

  const sent = Date.now();
  const ok = await fetch(`${server.receiverUrl}${path}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": sign(body, token),
    },
  });
  assert.equal(ok.status, 200);
  await waitForGitRepository(
    client,
    ns,
    "config",
    (o) => o.status?.artifact?.revision === `main@sha1:${second.sha}`,
    "new revision after the webhook",
    10_000,
  );
  assert.ok(Date.now() - sent < 5000, `fetched ${Date.now() - sent} ms after the webhook`);
});

test("a generic receiver with a wildcard and matchLabels annotates only the matching objects; a flood is answered at once", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "recv-wild");
  const server = await startTestServer(t, client, {
    namespace: ns,
    controllers: ["receiver"],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
  });
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "webhook-token", namespace: ns },
      stringData: { token: "tok-tok-tok-tok" },
    },
    { fieldManager: "test" },
  );
  for (const [name, labels] of [
    ["team-a", { team: "a" }],
    ["team-b", { team: "b" }],
  ] as const) {
    await client.apply(
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name, namespace: ns, labels },
        spec: { url: `${env.gitUrl}/x.git`, interval: "1h", suspend: true },
      },
      { fieldManager: "test" },
    );
  }
  const path = await receiver(client, ns, "generic", {
    type: "generic",
    resources: [
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        name: "*",
        matchLabels: { team: "a" },
      },
    ],
  });
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 50 }, () =>
      fetch(`${server.receiverUrl}${path}`, { method: "POST", body: "{}" }).then((r) => r.status),
    ),
  );
  assert.ok(answers.every((s) => s === 200));
  assert.ok(Date.now() - started < 3000, "answered without waiting for the work");
  const requested = async (name: string) =>
    (await client.get("source.toolkit.fluxcd.io/v1", "GitRepository", name, ns)).metadata.annotations?.[
      "reconcile.fluxcd.io/requestedAt"
    ];
  await waitFor("team-a annotated", async () => ((await requested("team-a")) ? true : undefined));
  assert.equal(await requested("team-b"), undefined, "not selected by matchLabels");
});
