import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { statusOf, teamSecret, waitForBuilds } from "./helpers/ci-builds.ts";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import { applyKustomization, deliveryFixture } from "./helpers/kustomizations.ts";
import { waitFor } from "./helpers/wait.ts";

const workflow = `name: gitops
on:
  push:
    branches: [main]
    paths: ['4-gitops/app/**']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v2
      - uses: docker/build-push-action@v1
        with:
          registry: \${{ secrets.REGISTRY }}
          repository: demo/app
          tags: \${{ github.sha }}
          path: 4-gitops/app
  deploy:
    runs-on: ubuntu-latest
    needs: build
    steps:
      - uses: actions/checkout@v2
      - working-directory: 4-gitops/deploy
        run: |
          sed -i "s|image: .*|image: \${{ secrets.REGISTRY }}/demo/app:\${{ github.sha }}|" deployment.yaml
      - uses: EndBug/add-and-commit@v5
        with:
          add: 4-gitops/deploy
          message: deploy \${{ github.sha }}
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector: { matchLabels: { app: demo } }
  template:
    metadata: { labels: { app: demo } }
    spec:
      containers:
        - name: app
          image: placeholder
`;

type Deployment = KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };

/** Registers the repository as a GitHub project with its REGISTRY secret. */
async function setGithubProject(client: KubeClient, name: string, repo: string, env: DevEnv) {
  await teamSecret(client, `${name}-secrets`, { REGISTRY: env.registry });
  return sluice(
    "ci -t dev set-project -p",
    name,
    "--repo",
    repo,
    "--format",
    "github",
    "--file",
    ".github/workflows/gitops.yml",
    "--username",
    env.gitUsername,
    "--password",
    env.gitPassword,
    "--variables-secret",
    `${name}-secrets`,
  );
}

test("a GitHub project: the workflow builds and pushes :sha, add-and-commit's push is applied by a Kustomization, and starts no run of its own", async (t) => {
  const { env } = await testEnvWithImages();
  const password = randomBytes(9).toString("hex");
  const fixture = await deliveryFixture(
    t,
    "ghproj",
    {
      ".github/workflows/gitops.yml": workflow,
      "4-gitops/app/Dockerfile": "FROM busybox:1.36\nCOPY index.html /www/index.html\n",
      "4-gitops/app/index.html": "v1\n",
      "4-gitops/deploy/deployment.yaml": deployment,
    },
    () => ({
      ci: {
        tick: 200,
        listen: { host: "127.0.0.1", port: 0 },
        localUsers: [{ name: "admin", password }],
        registryMirrors: [`docker.io=${env.imageMirror}/docker.io`],
      },
    }),
  );
  const { client, ns, server } = fixture;
  await ciHome(t);
  assert.equal((await sluice("ci -t dev login -c", server.ciUrl!, "-u", "admin", "-p", password)).code, 0);
  await applyKustomization(client, ns, "app", {
    path: "./4-gitops/deploy",
    prune: true,
    targetNamespace: ns,
  });
  const name = `gh-${randomBytes(3).toString("hex")}`;
  const set = await setGithubProject(client, name, `${env.gitUrl}/ghproj-${ns}.git`, env);
  assert.equal(set.code, 0, show(set));

  const builds = await waitForBuilds(name, "the workflow's jobs", 2);
  assert.deepEqual(statusOf(builds, "build"), ["1:succeeded"], JSON.stringify(builds));
  assert.deepEqual(statusOf(builds, "deploy"), ["1:succeeded"], JSON.stringify(builds));
  await client.patch(
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "source", namespace: ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } },
  );
  const image = `${env.registry}/demo/app:${fixture.sha}`;
  const applied = await waitFor(
    "the Deployment running the pushed image",
    async () => {
      const found = await client.get<Deployment>("apps/v1", "Deployment", "app", ns).catch(() => undefined);
      return found?.spec.template.spec.containers[0]?.image === image ? found : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(applied.spec.template.spec.containers[0]!.image, image);

  assert.equal((await sluice("ci -t dev check-resource -r", `${name}/repo`)).code, 0);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = await waitForBuilds(name, "no new run", 2);
  assert.equal(after.length, 2, "the job's own push started no run");
});
