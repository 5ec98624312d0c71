import assert from "node:assert/strict";
import { test } from "node:test";
import { aliasBomb } from "../src/common/yaml-bounds.test-support.ts";
import type { KubeClient } from "../src/kube/client.ts";
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
const leaseDurationMs = 15_000; // the server's default: past it, another replica could take over

/** Every renewTime the Lease shows, polled twice a second; gapsMs() are the times between them. */
function watchRenewals(client: KubeClient, namespace: string, name: string) {
  const seen = new Set<string>();
  const poll = setInterval(() => {
    client
      .get<Lease>("coordination.k8s.io/v1", "Lease", name, namespace)
      .then((lease) => lease.spec?.renewTime && seen.add(lease.spec.renewTime))
      .catch(() => undefined); // not created yet
  }, 500);
  return {
    stop: () => clearInterval(poll),
    gapsMs: () => {
      const times = [...seen].map((time) => Date.parse(time)).sort((a, b) => a - b);
      return times.slice(1).map((time, i) => time - times[i]!);
    },
  };
}
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
  const renewals = watchRenewals(client, ns, "sluice-hostile");
  t.after(() => renewals.stop());
  // 32 a's and a dash: ^(a+)+$ takes about 25 s on Node 24's backtracking engine, past the
  // lease's 10 s renew deadline
  const image = `${env.registry}/hostile/app-${ns}`;
  await pushTestImage(env, `hostile/app-${ns}`, ["aaa", `${"a".repeat(32)}-`]);
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
  const gaps = await waitFor("three renewals of the lease", () => {
    const seen = renewals.gapsMs();
    return Promise.resolve(seen.length >= 3 ? seen : undefined);
  });
  assert.ok(
    Math.max(...gaps) < leaseDurationMs,
    `a renewal came ${Math.max(...gaps)} ms after the one before`,
  );
  assert.ok(server.manager.elector?.isLeader(), "still leading");

  const metrics = await (await fetch(`${server.healthUrl}/metrics`)).text();
  const p99 = Number(/^sluice_event_loop_delay_p99_seconds (\S+)$/m.exec(metrics)?.[1]);
  assert.ok(p99 < 1, `event loop p99 over the last minute: ${p99} s`);
  t.diagnostic(`event loop delay p99 over the test: ${(p99 * 1000).toFixed(1)} ms`);
});
