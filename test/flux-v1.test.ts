import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { CustomResourceDefinition } from "../src/api/crd.ts";
import { runGit } from "../src/git/exec.ts";
import { installCrds } from "../src/install/apply.ts";
import { clone } from "../src/git/repository.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import type { FluxV1Options } from "../src/server/flux-v1/objects.ts";
import { workloadPolicyName } from "../src/automation/workload-images.ts";
import { expectExit, run, show } from "./helpers/cli.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { startTestServer } from "./helpers/server.ts";
import { createGitAuthSecret } from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const workload = (name: string, ns: string, image: string, extra: string[] = []) =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${ns}`,
    "  annotations:",
    '    flux.weave.works/automated: "true"',
    "    flux.weave.works/tag.helloworld: semver:~1.0",
    ...extra.map((a) => `    ${a}`),
    "spec:",
    "  selector:",
    `    matchLabels: { app: ${name} }`,
    "  template:",
    "    metadata:",
    `      labels: { app: ${name} }`,
    "    spec:",
    "      containers:",
    "        - name: helloworld",
    `          image: ${image}:1.0.0 # v1 needs no marker`,
    "",
  ].join("\n");

/** A helm-operator HelmRelease whose chart image v1 automates (the values' `image.repository`/`tag`). */
const helmRelease = (ns: string, image: string) =>
  [
    "apiVersion: helm.fluxcd.io/v1",
    "kind: HelmRelease",
    "metadata:",
    "  name: hello-chart",
    `  namespace: ${ns}`,
    "  annotations:",
    '    fluxcd.io/automated: "true"',
    "    fluxcd.io/tag.chart-image: semver:~1.0",
    "spec:",
    "  chart: { repository: https://charts.example/, name: hello, version: 1.0.0 }",
    "  values:",
    "    image:",
    `      repository: ${image}`,
    "      tag: 1.0.0",
    "",
  ].join("\n");

/** helm-operator's CRD, schemaless: enough for the sync to apply a HelmRelease. */
const helmReleaseCrd: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "helmreleases.helm.fluxcd.io" },
  spec: {
    group: "helm.fluxcd.io",
    scope: "Namespaced",
    names: { kind: "HelmRelease", plural: "helmreleases", singular: "helmrelease" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
};

/** What v1 mode maps onto. */
const v1Controllers = [
  "gitrepository",
  "kustomization",
  "imagerepository",
  "imagepolicy",
  "imageupdateautomation",
] as const;

/** The daemon flags of the tutorial: --git-path deploy --git-ci-skip, credentials from a Secret. */
const v1Flags = (ns: string, gitUrl: string, registry: string): FluxV1Options => ({
  namespace: ns,
  gitUrl,
  gitBranch: "main",
  gitPath: "deploy",
  gitCiSkip: true,
  gitPollInterval: "1h",
  syncInterval: "1h",
  automationInterval: "1h",
  gitUser: "Weave Flux",
  gitEmail: "support@weave.works",
  gitSecret: "flux-git-auth",
  garbageCollection: false,
  registryInsecureHosts: [registry],
});

test("Flux v1 flags: ~1.0 releases 1.0.1 into git with [ci skip], the locked workload stays, the sync applies", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "fluxv1");
  const imagePath = `fluxv1/${ns}/helloworld`;
  const image = `${env.registry}/${imagePath}`;
  await pushTestImage(env, imagePath, ["1.0.0", "1.0.1", "1.1.0"]);
  const hello = workload("hello", ns, image);
  const locked = workload("frozen", ns, image, ['flux.weave.works/locked: "true"']);
  await installCrds(client, [helmReleaseCrd as CustomResourceDefinition]);
  const chart = helmRelease(ns, image);
  const repo = await pushRepo(env, `fluxv1-${ns}`, {
    "deploy/hello.yaml": hello,
    "deploy/frozen.yaml": locked,
    "deploy/chart.yaml": chart,
    "README.md": "not synced\n",
  });
  await createGitAuthSecret(client, ns, "flux-git-auth", env.gitUsername, env.gitPassword);
  await startTestServer(t, client, {
    namespace: ns,
    controllers: [...v1Controllers],
    fluxV1: v1Flags(ns, repo.url, env.registry),
  });

  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-fluxv1-test-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const credentials = { username: env.gitUsername, password: env.gitPassword };
  let attempt = 0;
  const released = await waitFor(
    "the release commits on main",
    async () => {
      const dir = path.join(work, `c${attempt++}`);
      await clone(repo.url, dir, { credentials, branch: "main" });
      const text = await readFile(path.join(dir, "deploy/hello.yaml"), "utf8");
      // each policy resolves on its own: the Deployment's release and the chart's may be two commits
      const chartText = await readFile(path.join(dir, "deploy/chart.yaml"), "utf8");
      return text === hello || chartText === chart ? undefined : { dir, text };
    },
    {
      timeoutMs: 90_000,
      intervalMs: 1000,
      describe: async () => {
        const policies = await client.list("image.toolkit.fluxcd.io/v1", "ImagePolicy", { namespace: ns });
        return JSON.stringify(policies.items.map((p: KubeObject) => [p.metadata.name, p.status]));
      },
    },
  );
  assert.equal(released.text, hello.replace(`${image}:1.0.0`, `${image}:1.0.1`));
  assert.equal(await readFile(path.join(released.dir, "deploy/frozen.yaml"), "utf8"), locked);
  assert.equal(
    await readFile(path.join(released.dir, "deploy/chart.yaml"), "utf8"),
    chart.replace("tag: 1.0.0", "tag: 1.0.1"),
    "the HelmRelease's chart image, its tag beside its repository",
  );
  const log = await runGit(["log", "-1", "--format=%an <%ae>%n%B"], { cwd: released.dir });
  assert.equal(
    log.stdout.trim(),
    `Weave Flux <support@weave.works>\nAuto-release ${image}:1.0.1\n\n[ci skip]`,
  );

  // the sync half: the repository path is applied to the cluster
  const deployment = await waitFor(
    "the Deployment applied from deploy/",
    async () => {
      const d = await client
        .get<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
          "apps/v1",
          "Deployment",
          "hello",
          ns,
        )
        .catch(() => undefined);
      return d?.spec.template.spec.containers[0]?.image.endsWith(":1.0.1") ? d : undefined;
    },
    { timeoutMs: 60_000, describe: () => syncState(client, ns) },
  );
  assert.ok(deployment);
  await assertTraced(env.kubeconfig, ns, `${image}:1.0.1`);
});

/** The sync objects' status and the source's annotations, to explain a sync that did not happen. */
async function syncState(client: KubeClient, ns: string): Promise<string> {
  const sync = await client.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-v1", ns);
  const source = await client.get("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-v1", ns);
  return JSON.stringify([sync["status"], source["status"], source.metadata.annotations]);
}

/** `sluice trace` leads from the Deployment to the Kustomization, the GitRepository and the policy. */
async function assertTraced(kubeconfig: string, ns: string, image: string): Promise<void> {
  const traced = await run(["trace", "deployment/hello", "--kubeconfig", kubeconfig, "-n", ns]);
  expectExit(traced, 0);
  const policy = workloadPolicyName({ namespace: ns, kind: "Deployment", name: "hello" }, "helloworld");
  assert.match(
    traced.stdout,
    /^Object:\s+Deployment\/hello\nNamespace:\s+\S+\nStatus:\s+Managed by Sluice\n/,
    show(traced),
  );
  assert.match(traced.stdout, /---\nKustomization:\s+flux-v1\n[\s\S]*Path:\s+\.\/deploy\n/, show(traced));
  assert.match(
    traced.stdout,
    /---\nGitRepository:\s+flux-v1\n[\s\S]*Revision:\s+main@sha1:[0-9a-f]{40}\n/,
    show(traced),
  );
  assert.ok(traced.stdout.includes(`ImagePolicy:    ${policy}\n`), show(traced));
  assert.ok(traced.stdout.includes(`Image:          ${image}\n`), show(traced));
  const missing = await run(["trace", "deployment/nope", "--kubeconfig", kubeconfig, "-n", ns]);
  expectExit(missing, 1, /Deployment \S+\/nope not found/);
  expectExit(await run(["trace", "nope", "--kubeconfig", kubeconfig]), 2, /"nope" is not <kind>\/<name>/);
}
