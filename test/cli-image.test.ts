/**
 * The image verbs as a Flux user tries them: `bin/sluice` run as a subprocess against the real API
 * server and the real registry, with the ImageRepository and ImagePolicy controllers running in
 * this process.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { cliCluster, expectExit, expectRow, kubectl, rows, sluice, tempDir } from "./helpers/cli.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { startTestServer } from "./helpers/server.ts";

const api = "image.toolkit.fluxcd.io/v1";
const nowhere = ["--kubeconfig", "/nonexistent/kubeconfig"];

test("create image repository|policy --export prints YAML that kubectl applies as is", async (t) => {
  const { env, client, ns } = await cliCluster(t, "icli", { crds: true });
  const repository = await sluice(
    "create image repository podinfo --image ghcr.io/stefanprodan/podinfo --interval 5m --scan-timeout 30s" +
      " --secret-ref regcred --cert-secret-ref registry-ca --insecure --export",
    "--exclusion-list",
    "^.*\\.sig$",
    "--exclusion-list",
    "^v[0-9]{1,3}$",
    ...nowhere,
    "-n",
    ns,
  );
  expectExit(repository, 0);
  const policy = await sluice(
    "create image policy podinfo --image-ref podinfo --select-numeric asc --reflect-digest Always --interval 10m --export",
    "--filter-regex",
    "^main-[a-f0-9]+-(?P<ts>[0-9]+)",
    "--filter-extract",
    "$ts",
    ...nowhere,
    "-n",
    ns,
  );
  expectExit(policy, 0);
  const semver = await sluice(
    "create image policy semver --image-ref podinfo.other --select-semver ^1.0 --export -n",
    ns,
  );
  expectExit(semver, 0);
  for (const out of [repository, policy, semver]) {
    assert.equal((YAML.parse(out.stdout) as KubeObject).apiVersion, api);
  }

  const file = path.join(await tempDir(t), "image.yaml");
  await writeFile(file, repository.stdout + policy.stdout + semver.stdout);
  expectExit(await kubectl(env, ["apply", "-f", file]), 0);
  const live = (kind: string, name: string) => client.get(api, kind, name, ns).then((o) => o["spec"]);
  assert.deepEqual(await live("ImageRepository", "podinfo"), {
    image: "ghcr.io/stefanprodan/podinfo",
    interval: "5m",
    timeout: "30s",
    secretRef: { name: "regcred" },
    certSecretRef: { name: "registry-ca" },
    insecure: true,
    exclusionList: ["^.*\\.sig$", "^v[0-9]{1,3}$"],
    provider: "generic",
  });
  assert.deepEqual(await live("ImagePolicy", "podinfo"), {
    imageRepositoryRef: { name: "podinfo" },
    policy: { numerical: { order: "asc" } },
    filterTags: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts" },
    digestReflectionPolicy: "Always",
    interval: "10m",
  });
  assert.deepEqual(await live("ImagePolicy", "semver"), {
    imageRepositoryRef: { name: "podinfo", namespace: "other" },
    policy: { semver: { range: "^1.0" } },
    digestReflectionPolicy: "Never",
  });
});

test("invalid flags exit 2 with the flag named, before any call to the cluster", async () => {
  const policy = "create image policy p --image-ref app";
  const cases: [string[], RegExp][] = [
    [[policy, "--select-semver", "one point oh"], /--select-semver: invalid semver range "one point oh"/],
    [[policy, "--select-semver", ">=1.0.0 <<2"], /--select-semver: invalid semver range/],
    [
      [policy, "--select-alpha", "asc", "--filter-regex", "^(?<=v)[0-9]+"],
      /--filter-regex: invalid regular expression/,
    ],
    [
      [policy, "--select-alpha", "asc", "--filter-regex", "("],
      /--filter-regex: invalid regular expression "\("/,
    ],
    [
      [policy, "--select-numeric", "asc", "--filter-regex", "^(?P<n>[0-9]+)$", "--filter-extract", "$ts"],
      /--filter-extract "\$ts": .*group/,
    ],
    [[policy, "--select-alpha", "asc", "--filter-extract", "$1"], /--filter-extract needs --filter-regex/],
    [[policy], /a tag selection policy is required/],
    [[policy, "--select-alpha", "asc", "--select-semver", "^1"], /choose one tag selection policy/],
    [[policy, "--select-numeric", "up"], /--select-numeric must be "asc" .* or "desc"/],
    [[policy, "--select-alpha", "asc", "--reflect-digest", "Sometimes"], /--reflect-digest "Sometimes"/],
    [[policy, "--select-alpha", "asc", "--reflect-digest", "Always"], /needs --interval/],
    [[policy, "--select-alpha", "asc", "--interval", "1m"], /only used with --reflect-digest Always/],
    [["create image policy p --image-ref a/b --select-alpha asc"], /--image-ref "a\/b" is not a valid name/],
    [["create image repository r --image ghcr.io/org/app:1.0"], /--image .* should not include a tag/],
    [
      ["create image repository r --image https://ghcr.io/org/app"],
      /--image .* should not include a URL scheme/,
    ],
    [["create image repository r --image app --interval soon"], /--interval "soon"/],
    [
      ["create image repository r --image app --exclusion-list (a"],
      /--exclusion-list: invalid regular expression/,
    ],
  ];
  // no --export: a valid command would try the (nonexistent) cluster and exit 1
  const runs = await Promise.all(cases.map(([[words, ...rest]]) => sluice(words!, ...rest, ...nowhere)));
  runs.forEach((r, i) => expectExit(r, 2, cases[i]![1]));
});

interface Patched {
  kind: string;
  name: string;
  status: Record<string, unknown>;
}

async function createWithStatus(client: KubeClient, ns: string, obj: KubeObject, patched: Patched) {
  await client.create({ ...obj, metadata: { ...obj.metadata, namespace: ns } });
  await client.patch(
    { apiVersion: api, kind: patched.kind, name: patched.name, namespace: ns },
    { status: patched.status },
    { type: "merge", subresource: "status" },
  );
}

const readyCondition = (message: string) => ({
  type: "Ready",
  status: "True",
  reason: "Succeeded",
  message,
  lastTransitionTime: "2025-01-01T00:00:00Z",
  observedGeneration: 1,
});

/** A scanned ImageRepository `app`, an ImagePolicy `app` that selected 1.1.0 and a fresh ImagePolicy, status set by hand. */
async function imageObjects(client: KubeClient, ns: string, scanTime: string): Promise<void> {
  await createWithStatus(
    client,
    ns,
    {
      apiVersion: api,
      kind: "ImageRepository",
      metadata: { name: "app" },
      spec: { image: "ghcr.io/org/app", interval: "1h" },
    },
    {
      kind: "ImageRepository",
      name: "app",
      status: {
        lastScanResult: { tagCount: 3, scanTime },
        conditions: [readyCondition("successful scan: found 3 tags")],
      },
    },
  );
  await createWithStatus(
    client,
    ns,
    {
      apiVersion: api,
      kind: "ImagePolicy",
      metadata: { name: "app" },
      spec: { imageRepositoryRef: { name: "app" }, policy: { semver: { range: "^1.0" } } },
    },
    {
      kind: "ImagePolicy",
      name: "app",
      status: {
        latestRef: { name: "ghcr.io/org/app", tag: "1.1.0" },
        conditions: [readyCondition("Latest image tag for ghcr.io/org/app resolved to 1.1.0")],
      },
    },
  );
  await client.create({
    apiVersion: api,
    kind: "ImagePolicy",
    metadata: { name: "fresh", namespace: ns },
    spec: { imageRepositoryRef: { name: "app" }, policy: { alphabetical: { order: "asc" } } },
  });
}

test("get images lists the status Flux shows; suspend and delete act on image objects", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "icli", { crds: true });
  const scanTime = "2025-01-02T03:04:05Z";
  await imageObjects(client, ns, scanTime);

  const repositories = await sluice("get images repository", ...kube);
  expectExit(repositories, 0);
  assert.deepEqual(rows(repositories.stdout), [
    ["NAME", "LAST SCAN", "TAGS", "SUSPENDED", "READY", "MESSAGE"],
    ["app", scanTime, "3", "False", "True", "successful scan: found 3 tags"],
  ]);
  const policies = await sluice("get image policy", ...kube);
  expectExit(policies, 0);
  assert.deepEqual(rows(policies.stdout), [
    ["NAME", "LATEST IMAGE", "READY", "MESSAGE"],
    ["app", "ghcr.io/org/app:1.1.0", "True", "Latest image tag for ghcr.io/org/app resolved to 1.1.0"],
    ["fresh", "False", "waiting to be reconciled"],
  ]);
  expectRow(await sluice("get images policy app -A --no-header --kubeconfig", env.kubeconfig), ns, "app");

  const all = await sluice("get images all", ...kube);
  expectExit(all, 0);
  assert.match(
    all.stdout,
    /^NAME\s+LAST SCAN\s+TAGS\s+SUSPENDED\s+READY\s+MESSAGE\nimagerepository\/app\s+/m,
  );
  assert.match(
    all.stdout,
    /^NAME\s+LATEST IMAGE\s+READY\s+MESSAGE\nimagepolicy\/app\s+ghcr.io\/org\/app:1.1.0/m,
  );
  assert.match((await sluice("get all", ...kube)).stdout, /imagepolicy\/fresh/);

  expectExit(await sluice("suspend image repository app", ...kube), 0, /✔ image repository suspended/);
  assert.equal(rows((await sluice("get images repository app --no-header", ...kube)).stdout)[0]?.[3], "True");
  expectExit(
    await sluice("reconcile image repository app", ...kube),
    1,
    /is suspended\nhint: resume it with 'sluice resume image repository app/,
  );
  expectExit(await sluice("delete image policy fresh --silent", ...kube), 0, /✔ image policy deleted/);
  expectExit(
    await sluice("get images policy fresh", ...kube),
    1,
    new RegExp(`ImagePolicy '${ns}/fresh' not found`),
  );
  const empty = await sluice("get images all -n", `${ns}-none`, "--kubeconfig", env.kubeconfig);
  expectExit(empty, 0, /✗ no image objects found in ".*-none" namespace/);
});

/** A docker-registry Secret for the environment's registry when it requires credentials. */
async function registrySecretFlags(client: KubeClient, env: DevEnv, ns: string): Promise<string[]> {
  if (env.registryUsername === undefined || env.registryPassword === undefined) return [];
  const auth = Buffer.from(`${env.registryUsername}:${env.registryPassword}`).toString("base64");
  const config = JSON.stringify({ auths: { [env.registry]: { auth } } });
  await client.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "registry", namespace: ns },
    type: "kubernetes.io/dockerconfigjson",
    stringData: { ".dockerconfigjson": config },
  });
  return ["--secret-ref", "registry"];
}

test("create image repository and policy wait for the scan and the selection; reconcile follows new pushes", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "icli");
  await startTestServer(t, client, { namespace: ns, controllers: ["imagerepository", "imagepolicy"] });
  const repo = `icli/app-${randomBytes(3).toString("hex")}`;
  const image = `${env.registry}/${repo}`;
  await pushTestImage(env, repo, ["1.0.0", "1.1.0", "2.0.0-rc.1", "latest"]);
  const secret = await registrySecretFlags(client, env, ns);

  await t.test("create image repository prints the number of tags the scan found", async () => {
    const r = await sluice(
      "create image repository app --insecure --timeout 2m --image",
      image,
      ...secret,
      ...kube,
    );
    expectExit(r, 0, /✔ scan fetched 4 tags\n/);
    assert.match(
      r.stderr,
      /✚ generating ImageRepository\n► applying ImageRepository .*\/app\n✔ ImageRepository created\n◎ waiting for ImageRepository reconciliation\n✔ ImageRepository reconciliation completed\n/,
    );
  });
  await t.test("create image policy --select-semver prints the selected image", async () => {
    const r = await sluice(
      "create image policy app --image-ref app --timeout 2m --select-semver",
      "^1.0",
      ...kube,
    );
    expectExit(r, 0, new RegExp(`✔ selected image ${image}:1.1.0\n`));
  });
  await t.test("get images all lists both Ready", async () => {
    const all = await sluice("get images all", ...kube);
    expectExit(all, 0);
    const table = rows(all.stdout);
    const repository = table.find((row) => row[0] === "imagerepository/app");
    assert.deepEqual(repository?.slice(2, 5), ["4", "False", "True"], all.stdout);
    const policy = table.find((row) => row[0] === "imagepolicy/app");
    assert.deepEqual(policy?.slice(1, 3), [`${image}:1.1.0`, "True"], all.stdout);
  });
  await t.test("reconcile after a push shows the new tag count and the new selection", async () => {
    await pushTestImage(env, repo, ["1.2.0"], { "hello.txt": "1.2.0\n" });
    const scanned = await sluice("reconcile image repository app --timeout 2m", ...kube);
    expectExit(scanned, 0, /✔ scan fetched 5 tags\n/);
    const selected = await sluice("reconcile image policy app --timeout 2m", ...kube);
    expectExit(selected, 0, new RegExp(`✔ selected image ${image}:1.2.0\n`));
  });
  await t.test("suspend, then resume scans again", async () => {
    expectExit(await sluice("suspend image repository app", ...kube), 0, /✔ image repository suspended/);
    await pushTestImage(env, repo, ["1.3.0"], { "hello.txt": "1.3.0\n" });
    expectExit(
      await sluice("resume image repository app --timeout 2m", ...kube),
      0,
      /✔ scan fetched 6 tags\n/,
    );
  });
  await t.test("a policy whose range matches nothing fails with its Ready message", async () => {
    const r = await sluice(
      "create image policy none --image-ref app --timeout 2m --select-semver",
      ">=9.0.0",
      ...kube,
    );
    expectExit(r, 1, new RegExp(`error: ImagePolicy '${ns}/none' is not ready: `));
  });
});
