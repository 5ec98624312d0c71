import assert from "node:assert/strict";
import { test } from "node:test";
import { aliasBomb } from "../src/common/yaml-bounds.test-support.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { configMap } from "../src/kustomize/artifacts.test-support.ts";
import type { Lease } from "../src/runtime/leader-election.ts";
import {
  applyKustomization,
  appliedRevision,
  deliveryFixture,
  failedWith,
  waitForKustomization,
} from "./helpers/kustomizations.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { readyTrue, waitForGitRepository } from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const imageApi = "image.toolkit.fluxcd.io/v1";
type ImagePolicy = KubeObject & { status?: { latestRef?: { tag: string } } };

test("a hostile filter pattern and an alias bomb fail or pass alone: the lease is renewed and sources keep reconciling", async (t) => {
  const { env, client, ns, server, sha, push } = await deliveryFixture(
    t,
    "hostile",
    { "app/cm.yaml": configMap("app"), "bomb/lol.yaml": aliasBomb(20) },
    (namespace) => ({
      controllers: ["gitrepository", "kustomization", "imagerepository", "imagepolicy"],
      leaderElection: { namespace, name: "sluice-hostile" },
    }),
  );
  const lease = () => client.get<Lease>("coordination.k8s.io/v1", "Lease", "sluice-hostile", ns);
  const leased = await waitFor("the lease is held", async () => (await lease()).spec?.renewTime);
  // a tag of 28 a's and a dash takes ^(a+)+$ about 20 s on a backtracking engine
  const image = `${env.registry}/hostile/app-${ns}`;
  await pushTestImage(env, `hostile/app-${ns}`, ["aaa", `${"a".repeat(28)}-`]);
  const apply = (kind: string, name: string, spec: Record<string, unknown>) =>
    client.apply(
      { apiVersion: imageApi, kind, metadata: { name, namespace: ns }, spec },
      { fieldManager: "test", force: true },
    );
  await apply("ImageRepository", "app", { image, interval: "1h", insecure: true });
  await apply("ImagePolicy", "hostile", {
    imageRepositoryRef: { name: "app" },
    policy: { alphabetical: { order: "asc" } },
    filterTags: { pattern: "^(a+)+$" },
  });
  await applyKustomization(client, ns, "bomb", { path: "./bomb", prune: true });
  await applyKustomization(client, ns, "app", { path: "./app", prune: true, targetNamespace: ns });

  await waitFor("the hostile ImagePolicy selects aaa", async () => {
    const policy = await client.get<ImagePolicy>(imageApi, "ImagePolicy", "hostile", ns);
    return policy.status?.latestRef?.tag === "aaa" ? policy : undefined;
  });
  const bombed = await waitForKustomization(
    client,
    ns,
    "bomb",
    failedWith("BuildFailed"),
    "the alias bomb fails",
  );
  const message = bombed.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "";
  assert.match(
    message,
    /file lol\.yaml expands more than the YAML alias limit of 1000 .*SLUICE_YAML_MAX_ALIASES/,
  );
  await waitForKustomization(client, ns, "app", appliedRevision(`main@sha1:${sha}`), "app applied");

  // the source still follows new commits, and the lease was renewed all along by the same holder
  const next = await push({ "app/cm.yaml": configMap("app", { key: "next" }) });
  await waitForGitRepository(
    client,
    ns,
    "source",
    (o, ready) => readyTrue(o, ready) && o.status?.artifact?.revision === `main@sha1:${next}`,
    "the next commit fetched",
  );
  const renewed = await lease();
  assert.ok(Date.parse(renewed.spec!.renewTime!) > Date.parse(leased), "the lease was renewed");
  assert.ok(server.manager.elector?.isLeader(), "still leading");

  const metrics = await (await fetch(`${server.healthUrl}/metrics`)).text();
  const p99 = Number(/^sluice_event_loop_delay_p99_seconds (\S+)$/m.exec(metrics)?.[1]);
  assert.ok(p99 < 1, `event loop p99 over the last minute: ${p99} s`);
  t.diagnostic(`event loop delay p99 over the test: ${(p99 * 1000).toFixed(1)} ms`);
});
