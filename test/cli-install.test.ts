/** `sluice install` and `sluice uninstall` against the real API server, run through bin/sluice. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import YAML from "yaml";
import { knownControllers } from "../src/server/server.ts";
import { clusterRoleName, crdsFor } from "../src/install/manifests.ts";
import { sluiceVersion } from "../src/install/version.ts";
import { isNotFound } from "../src/kube/errors.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { cliCluster, expectExit, kubectl, run } from "./helpers/cli.ts";
import { testEnv } from "./helpers/env.ts";
import { adminClient } from "./helpers/kube.ts";

test("install --export is accepted by kubectl apply --server-side --dry-run=server", async (t) => {
  // a server-side dry run cannot create the namespace the other objects go into: use an existing one
  const { env, ns } = await cliCluster(t, "cli-inst");
  const exported = await run(["install", "--export", "--namespace", ns]);
  expectExit(exported, 0);
  const docs = YAML.parseAllDocuments(exported.stdout).map((d) => d.toJSON() as KubeObject);
  assert.deepEqual(
    docs.map((d) => d.kind),
    [
      ...crdsFor(knownControllers).map(() => "CustomResourceDefinition"),
      "Namespace",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Service",
      "Deployment",
    ],
  );
  const deployment = docs.find((d) => d.kind === "Deployment") as KubeObject & {
    spec: { template: { spec: { containers: { image: string; args: string[] }[] } } };
  };
  const container = deployment.spec.template.spec.containers[0]!;
  assert.equal(container.image, `ghcr.io/sluice/sluice:v${await sluiceVersion()}`);
  assert.ok(container.args.includes(`--storage-adv-addr=source-controller.${ns}.svc.cluster.local.`));
  assert.ok(container.args.includes("--leader-elect"));
  for (const args of [
    ["apply", "--server-side", "--dry-run=server"],
    ["apply", "--dry-run=server"],
  ]) {
    const applied = await kubectl(env, [...args, "-f", "-"], exported.stdout);
    expectExit(applied, 0);
    assert.match(applied.stdout, /deployment.apps\/sluice-server .*\(server dry run\)/);
  }
});

test("install and uninstall round-trip in a namespace of their own", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = `cli-inst-${randomBytes(4).toString("hex")}`;
  const kube = ["--kubeconfig", env.kubeconfig, "--namespace", ns];
  // CRDs are shared with the other tests of this run: never delete them here
  t.after(() => run(["uninstall", ...kube, "--silent", "--keep-crds"]));

  const installed = await run(["install", ...kube, "--timeout", "2m"]);
  expectExit(installed, 0);
  assert.match(installed.stdout, new RegExp(`^Namespace/${ns} created$`, "m"));
  assert.match(installed.stdout, new RegExp(`^Deployment/${ns}/sluice-server created$`, "m"));
  assert.match(installed.stderr, /✔ sluice-server: deployment ready\n✔ install finished/);
  await client.get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", clusterRoleName(ns));
  await client.get("v1", "Service", "source-controller", ns);

  const again = await run(["install", ...kube, "--no-wait"]);
  expectExit(again, 0);
  assert.match(again.stdout, new RegExp(`^Deployment/${ns}/sluice-server unchanged$`, "m"));

  const refused = await run(["uninstall", ...kube]);
  expectExit(refused, 2, /hint: no terminal to ask on: pass --silent/);

  const removed = await run(["uninstall", ...kube, "--silent", "--keep-crds"]);
  expectExit(removed, 0);
  assert.match(removed.stdout, new RegExp(`^ClusterRole/${clusterRoleName(ns)} deleted$`, "m"));
  assert.match(removed.stdout, new RegExp(`^Namespace/${ns} deleted$`, "m"));
  for (const [apiVersion, kind, name] of [
    ["rbac.authorization.k8s.io/v1", "ClusterRole", clusterRoleName(ns)],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", clusterRoleName(ns)],
  ] as const) {
    await assert.rejects(client.get(apiVersion, kind, name), isNotFound, `${kind} ${name} is gone`);
  }
  const namespace = await client.get("v1", "Namespace", ns).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  assert.ok(!namespace || namespace.metadata.deletionTimestamp, "the namespace is deleted or terminating");
  await client.get(
    "apiextensions.k8s.io/v1",
    "CustomResourceDefinition",
    "gitrepositories.source.toolkit.fluxcd.io",
  );
});

test("version prints the version from package.json", async () => {
  const r = await run(["version"]);
  expectExit(r, 0);
  assert.equal(r.stdout, `sluice: v${await sluiceVersion()}\n`);
});

test("--components-extra adds controllers to --components; --version prints the CLI's version", async () => {
  const exported = await run([
    "install",
    "--export",
    "--components",
    "source-controller",
    "--components-extra",
    "image-automation-controller",
  ]);
  expectExit(exported, 0);
  assert.match(exported.stdout, /^# Components: gitrepository,imageupdateautomation$/m);
  const unknown = await run(["install", "--export", "--components-extra", "helm-controller"]);
  expectExit(unknown, 2, /unknown component\(s\): helm-controller/);
  const version = await run(["--version"]);
  expectExit(version, 0);
  assert.equal(version.stdout, `sluice: v${await sluiceVersion()}\n`);
});
