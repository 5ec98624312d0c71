import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { clone, lsRemote } from "../src/git/repository.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { bootstrapGit, cliCluster, expectExit, run } from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import { startTestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

type Deployment = KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };

test("bootstrap git commits and applies the install and sync objects; re-running changes nothing; a new image upgrades", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "boot", { crds: true });
  const repo = await pushRepo(env, `boot-${ns}`, { "README.md": "fleet\n" });
  await startTestServer(t, client, { namespace: ns, controllers: ["gitrepository", "kustomization"] });
  const credentials = { username: env.gitUsername, password: env.gitPassword };
  const bootstrap = (...extra: string[]) =>
    bootstrapGit(env, repo.url, [...kube, "--timeout", "2m", ...extra]);
  const head = async () => (await lsRemote(repo.url, { credentials })).get("refs/heads/main");

  const first = await bootstrap();
  expectExit(first, 0, /✔ committed and pushed [0-9a-f]{7} to "main"[\s\S]*✔ bootstrap finished/);
  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-bootstrap-test-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  await clone(repo.url, path.join(work, "a"), { credentials, branch: "main" });
  const dir = path.join(work, "a/clusters/demo/flux-system");
  assert.match(await readFile(path.join(dir, "gotk-components.yaml"), "utf8"), /kind: Deployment\n/);
  const sync = await readFile(path.join(dir, "gotk-sync.yaml"), "utf8");
  assert.match(sync, /kind: GitRepository\nmetadata:\n  name: flux-system/);
  assert.match(sync, /path: \.\/clusters\/demo\n/);
  const kustomization = YAML.parse(await readFile(path.join(dir, "kustomization.yaml"), "utf8")) as unknown;
  assert.deepEqual(kustomization, {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: ["gotk-components.yaml", "gotk-sync.yaml"],
  });

  const before = await head();
  const again = await bootstrap();
  expectExit(again, 0, /✔ component and sync manifests are up to date/);
  assert.equal(await head(), before, "a second run pushes nothing");

  const upgraded = await bootstrap("--image", `${env.registry}/sluice:next`);
  expectExit(upgraded, 0, /✔ committed and pushed/);
  assert.notEqual(await head(), before);
  const deployment = await client.get<Deployment>("apps/v1", "Deployment", "sluice-server", ns);
  assert.equal(deployment.spec.template.spec.containers[0]?.image, `${env.registry}/sluice:next`);

  // the loop: a commit to the cluster's directory is applied
  await pushRepo(env, `boot-${ns}`, {
    "clusters/demo/app.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: ${ns}\ndata:\n  v: "1"\n`,
  });
  await client.patch(
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "flux-system", namespace: ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "now" } } },
  );
  await waitFor("the ConfigMap committed to clusters/demo", () =>
    client.get("v1", "ConfigMap", "app", ns).catch(() => undefined),
  );
});

test("bootstrap git without credentials is a usage error naming them", async (t) => {
  const { kube } = await cliCluster(t, "boot-bad");
  const result = await run(["bootstrap", "git", ...kube, "--url", "http://127.0.0.1:1/x.git"]);
  expectExit(result, 2, /error: no credentials given/);
});
