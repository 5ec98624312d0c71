import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fluxApiVersions } from "../src/api/kinds.ts";
import { ConfigHistory } from "../src/trace/config-history.ts";
import { deliveryPaths } from "../src/trace/delivery-path.ts";
import { tempDir } from "./helpers/cli.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { ensureCrds } from "./helpers/server.ts";

const applied = { fieldManager: "test", force: true };

test("a trace says where it stops: no ImageRepository scans the image, a policy chose another tag, no automation writes it, an automation's source is missing", async (t) => {
  const client = await adminClient(t);
  await ensureCrds(client);
  const ns = await testNamespace(t, client, "trace");
  const cluster = {
    kube: client,
    history: new ConfigHistory(path.join(await tempDir(t, "trace-"), "m"), client),
  };
  const image = (name: string, tags: string[]) => ({
    repository: `registry.example/${ns}/${name}`,
    digest: `sha256:${"a".repeat(64)}`,
    tags,
  });

  const unscanned = await deliveryPaths(cluster, image("other", ["1.0.0"]));
  assert.deepEqual(unscanned, {
    paths: [],
    notes: [`no ImageRepository scans registry.example/${ns}/other`],
  });

  await client.apply(
    {
      apiVersion: fluxApiVersions.ImageRepository,
      kind: "ImageRepository",
      metadata: { name: "web", namespace: ns },
      spec: { image: `registry.example/${ns}/web`, interval: "1h" },
    },
    applied,
  );
  const policy = { apiVersion: fluxApiVersions.ImagePolicy, kind: "ImagePolicy", name: "web", namespace: ns };
  await client.apply(
    {
      apiVersion: policy.apiVersion,
      kind: policy.kind,
      metadata: { name: "web", namespace: ns },
      spec: { imageRepositoryRef: { name: "web" }, policy: { semver: { range: "^1.0" } } },
    },
    applied,
  );
  await client.patch(
    policy,
    { status: { latestRef: { name: `registry.example/${ns}/web`, tag: "1.0.0" } } },
    { type: "merge", subresource: "status" },
  );

  const newer = await deliveryPaths(cluster, image("web", ["1.1.0"]));
  assert.deepEqual(
    newer.paths.map((p) => p.map((s) => [s.stage, s.state, s.title, s.detail])),
    [[["policy", "waiting", `ImagePolicy ${ns}/web has not selected 1.1.0`, "it selects 1.0.0"]]],
  );

  const chosen = await deliveryPaths(cluster, image("web", ["latest", "1.0.0"]));
  assert.deepEqual(
    chosen.paths.map((p) => p.map((s) => [s.stage, s.state])),
    [[["policy", "done"]]],
  );
  assert.deepEqual(chosen.notes, [
    `no ImageUpdateAutomation in ${ns} writes registry.example/${ns}/web:1.0.0`,
  ]);

  await client.apply(
    {
      apiVersion: fluxApiVersions.ImageUpdateAutomation,
      kind: "ImageUpdateAutomation",
      metadata: { name: "web", namespace: ns },
      spec: {
        interval: "1h",
        sourceRef: { kind: "GitRepository", name: "gone" },
        git: { commit: { author: { name: "bot", email: "bot@example.com" } } },
        update: { path: "./apps", strategy: "Setters" },
      },
    },
    applied,
  );
  const orphan = await deliveryPaths(cluster, image("web", ["1.0.0"]));
  assert.deepEqual(orphan.notes, [`ImageUpdateAutomation ${ns}/web: its GitRepository gone is not found`]);
});
