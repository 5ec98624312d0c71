import assert from "node:assert/strict";
import { test } from "node:test";
import YAML from "yaml";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import {
  applyKustomization,
  appliedRevision,
  waitForKustomization,
  type KustomizationObject,
} from "./helpers/kustomizations.ts";
import { ServerProcess } from "./helpers/server-process.ts";
import { ensureCrds } from "./helpers/server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyTrue,
  requestReconcile,
  waitForGitRepository,
} from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const configMaps = (from: number, to: number) =>
  Object.fromEntries(
    Array.from({ length: to - from }, (_, i) => [
      `app/cm-${from + i}.yaml`,
      YAML.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${from + i}` },
        data: { i: String(from + i) },
      }),
    ]),
  );

test("a server killed in the middle of an apply converges after a restart, with the inventory complete and only stale objects pruned", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  await ensureCrds(client);
  const ns = await testNamespace(t, client, "ks-crash");
  const repo = `crash-${ns}`;
  const first = await pushRepo(env, repo, configMaps(0, 100));
  const server = await ServerProcess.create(t, env.kubeconfig, ns);
  server.start();
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "source", {
    url: first.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await applyKustomization(client, ns, "app", { path: "app", prune: true, targetNamespace: ns });
  await waitForKustomization(
    client,
    ns,
    "app",
    appliedRevision(`main@sha1:${first.sha}`),
    "first revision applied",
  );

  // the next revision drops cm-0..19 and adds cm-100..299
  const second = await pushRepo(env, repo, {
    ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`app/cm-${i}.yaml`, "# gone\n"])),
    ...configMaps(100, 300),
  });
  await requestReconcile(client, ns, "source");
  await waitFor(
    "the apply of the second revision to be under way",
    async () =>
      (await client.get("v1", "ConfigMap", "cm-120", ns).catch(() => undefined)) ? true : undefined,
    { intervalMs: 10 },
  );
  await server.kill("SIGKILL");
  const atCrash = await client.get<KustomizationObject>(
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization",
    "app",
    ns,
  );
  assert.equal(
    atCrash.status?.lastAppliedRevision,
    `main@sha1:${first.sha}`,
    "the crash came before the second revision was recorded",
  );
  assert.equal(
    atCrash.status?.inventory?.entries.length,
    100,
    "the inventory still describes the first revision",
  );

  server.start();
  await waitForGitRepository(client, ns, "source", readyTrue, "source Ready after restart");
  const done = await waitForKustomization(
    client,
    ns,
    "app",
    appliedRevision(`main@sha1:${second.sha}`),
    "second revision applied after restart",
    60_000,
  );
  assert.equal(done.status?.inventory?.entries.length, 280);
  const names = new Set(
    (await client.list("v1", "ConfigMap", { namespace: ns })).items.map((o) => o.metadata.name),
  );
  for (let i = 0; i < 300; i++) assert.equal(names.has(`cm-${i}`), i >= 20, `cm-${i}`);
});
