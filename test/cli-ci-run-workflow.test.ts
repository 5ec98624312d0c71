import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { show, sluice, tempDir } from "./helpers/cli.ts";
import { git, manifestExists, workingCopy } from "./helpers/working-copy.ts";

/** The seed's workflow, abridged: build and push the app on changes under 4-gitops/app, then commit the new tag into the deployment. */
/** A local composite action: writes its input into stamp.txt and answers the file's name. */
const stampAction = `name: stamp
inputs:
  text: { required: true }
outputs:
  file:
    value: \${{ steps.write.outputs.file }}
runs:
  using: composite
  steps:
    - id: write
      shell: sh
      run: echo "\${{ inputs.text }}" > stamp.txt && echo "file=stamp.txt" >> "$GITHUB_OUTPUT"
`;

/** The app image serves here when the smoke job runs it as a service (services share the worker's network). */
const webPort = 20000 + Math.floor(Math.random() * 20000);

const workflow = `name: gitops
on:
  push:
    branches: [master]
    paths: ['4-gitops/app/**', '.github/workflows/**']
env:
  IMAGE: \${{ secrets.REGISTRY }}/demo/app
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      tag: \${{ steps.tag.outputs.tag }}
    steps:
      - uses: actions/checkout@v2
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v1
        with:
          registry: \${{ secrets.REGISTRY }}
          repository: demo/app
          username: \${{ secrets.DOCKER_USERNAME }}
          password: \${{ secrets.DOCKER_PASSWORD }}
          tags: \${{ github.sha }}
          path: 4-gitops/app
      - id: tag
        run: echo "tag=\${GITHUB_SHA}" >> "$GITHUB_OUTPUT"
  deploy:
    runs-on: ubuntu-latest
    needs: build
    if: github.ref == 'refs/heads/master'
    steps:
      - uses: actions/checkout@v2
      - name: point the deployment at the new image
        working-directory: 4-gitops/deploy
        run: |
          echo "secret is \${{ secrets.DOCKER_PASSWORD }}"
          sed -i "s|image: .*|image: $IMAGE:\${{ needs.build.outputs.tag }}|" deployment.yaml
          echo "DEPLOYED=yes" >> "$GITHUB_ENV"
      - run: test "$DEPLOYED" = yes
      - uses: EndBug/add-and-commit@v5
        with:
          add: 4-gitops/deploy
          message: deploy \${{ github.sha }}
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
  smoke:
    runs-on: ubuntu-latest
    container: busybox:1.36
    needs: build
    services:
      web:
        image: \${{ secrets.REGISTRY }}/demo/app:\${{ github.sha }}
    steps:
      - run: for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web:${webPort}/ && break; sleep 0.5; done
  package:
    runs-on: ubuntu-latest
    container: busybox:1.36
    needs: build
    steps:
      - uses: actions/checkout@v2
      - id: stamp
        uses: ./.github/actions/stamp
        with:
          text: stamped \${{ github.sha }}
      - run: test "\${{ steps.stamp.outputs.file }}" = stamp.txt
      - uses: actions/upload-artifact@v4
        with: { name: stamp, path: stamp.txt }
  verify:
    runs-on: ubuntu-latest
    container: busybox:1.36
    needs: package
    steps:
      - uses: actions/download-artifact@v4
        with: { name: stamp }
      - run: cat stamp.txt
  v5:
    runs-on: ubuntu-latest
    container: busybox:1.36
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        id: cache
        with:
          path: .cache-dir
          key: stamp-\${{ hashFiles('4-gitops/app/**') }}
      - run: mkdir -p .cache-dir && echo "hit=\${{ steps.cache.outputs.cache-hit }}" && date > .cache-dir/made
      - uses: docker/login-action@v3
        with:
          registry: \${{ secrets.REGISTRY }}
          username: \${{ secrets.DOCKER_USERNAME }}
          password: \${{ secrets.DOCKER_PASSWORD }}
      - uses: docker/build-push-action@v5
        with:
          context: 4-gitops/app
          push: true
          tags: |
            \${{ secrets.REGISTRY }}/demo/v5:\${{ github.sha }}
            \${{ secrets.REGISTRY }}/demo/v5:latest
  never:
    runs-on: ubuntu-latest
    if: github.ref == 'refs/heads/other'
    steps:
      - run: exit 1
`;

test("sluice ci run-workflow runs the seed's workflow: paths filter, needs and outputs, the build-push action pushing :sha, add-and-commit pushing the deployment", async (t) => {
  const { env } = await testEnvWithImages();
  const dir = await tempDir(t, "sluice-run-workflow-");
  const name = `gh-seed-${randomBytes(3).toString("hex")}`;
  const copy = await workingCopy(
    env,
    dir,
    name,
    {
      ".github/workflows/gitops.yml": workflow,
      "4-gitops/app/Dockerfile": `FROM busybox:1.36\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "${webPort}", "-h", "/www"]\n`,
      "4-gitops/app/index.html": "v1\n",
      ".github/actions/stamp/action.yml": stampAction,
      "4-gitops/deploy/deployment.yaml": "containers:\n  - name: app\n    image: placeholder\n",
    },
    "master",
  );
  const repo = copy.dir;
  await copy.commit("the app");
  await copy.write({ "README.md": "docs only\n" });
  await copy.commit("docs");
  const password = env.registryPassword ?? `pw-${randomBytes(4).toString("hex")}`;
  const common = [
    path.join(repo, ".github/workflows/gitops.yml"),
    "--registry-mirror",
    `docker.io=${env.imageMirror}/docker.io`,
    "--cache-dir",
    path.join(dir, "cache"),
    "-s",
    `REGISTRY=${env.registry}`,
    "-s",
    `DOCKER_USERNAME=${env.registryUsername ?? "ci"}`,
    "-s",
    `DOCKER_PASSWORD=${password}`,
  ];

  const docs = await sluice("ci run-workflow", ...common);
  assert.equal(docs.code, 0, show(docs));
  assert.match(docs.stderr, /the workflow does not run: no changed file matches paths/);

  await copy.write({ "4-gitops/app/index.html": "v2\n" });
  const sha = await copy.commit("app v2");
  const run = await sluice("ci run-workflow", ...common);
  assert.equal(run.code, 0, show(run));
  assert.match(run.stdout, /never +skipped: its if: condition is false/);
  assert.match(
    run.stdout,
    new RegExp(`verify +\\| stamped ${sha}`),
    "a composite action's file came through artifacts",
  );
  assert.match(run.stdout, /v5 +\| hit=false/, "a first run finds no cache");
  assert.ok(await manifestExists(env, "demo/v5", sha), "build-push@v5 pushed its tags");
  assert.ok(await manifestExists(env, "demo/v5", "latest"));
  assert.match(run.stdout, /smoke +\| v2/, "the smoke job reached the image it built, run as its service");
  assert.match(run.stdout, /deploy +\| secret is \(\(redacted\)\)/);
  assert.ok(!run.stdout.includes(password) || password.length < 2, "the secret is masked");
  assert.ok(await manifestExists(env, "demo/app", sha), `demo/app:${sha} was pushed`);
  await git(repo, "fetch", "-q", "origin");
  assert.equal(await git(repo, "log", "-1", "--format=%s", "origin/master"), `deploy ${sha}`);
  const deployed = await git(repo, "show", "origin/master:4-gitops/deploy/deployment.yaml");
  assert.match(deployed, new RegExp(`image: ${env.registry.replaceAll(".", "\\.")}/demo/app:${sha}`));

  const again = await sluice("ci run-workflow", ...common, "-j", "v5");
  assert.equal(again.code, 0, show(again));
  assert.match(again.stdout, /v5 +\| hit=true/, "the cache saved by the first run is restored");

  await writeFile(
    path.join(repo, ".github/workflows/gitops.yml"),
    workflow.replace("uses: docker/setup-buildx-action@v3", "uses: some/unknown-action@v1"),
  );
  const unknown = await sluice("ci run-workflow", ...common);
  assert.equal(unknown.code, 2, show(unknown));
  assert.match(
    unknown.stderr,
    /\.github\/workflows\/gitops\.yml:\d+: jobs\.build\.steps\[1\]\.uses: some\/unknown-action@v1: this action cannot be downloaded/,
  );
});
