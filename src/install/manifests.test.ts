import assert from "node:assert/strict";
import { test } from "node:test";
import { allInstallObjects, clusterRoleName, crdsFor, installObjects, serverArgs } from "./manifests.ts";

const options = {
  namespace: "flux-system",
  image: "ghcr.io/sluice/sluice:v0.1.0",
  controllers: ["gitrepository"] as const,
  version: "0.1.0",
};

test("the server runs with the artifact Service's in-cluster name as advertised address, leader election in its namespace", () => {
  const args = serverArgs(options);
  assert.deepEqual(args.slice(0, 2), ["server", "--controllers=gitrepository"]);
  assert.ok(args.includes("--storage-addr=:9090"));
  assert.ok(args.includes("--storage-adv-addr=source-controller.flux-system.svc.cluster.local."));
  assert.ok(args.includes("--health-addr=:9440"));
  assert.ok(args.includes("--leader-elect"));
  assert.ok(args.includes("--leader-election-namespace=flux-system"));
});

test("RBAC grants the kinds with status and finalizers, Secrets read, Events written, Leases in the namespace", () => {
  const objects = installObjects(options);
  const role = objects.components.find((o) => o.kind === "ClusterRole") as unknown as {
    metadata: { name: string };
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  assert.equal(role.metadata.name, clusterRoleName("flux-system"));
  const grants = (resource: string) =>
    role.rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs);
  for (const verb of ["get", "list", "watch", "patch"])
    assert.ok(grants("gitrepositories").includes(verb), verb);
  assert.ok(grants("gitrepositories/status").includes("patch"));
  assert.ok(grants("gitrepositories/finalizers").includes("update"));
  assert.deepEqual(grants("secrets"), ["get", "list", "watch"]);
  assert.deepEqual(grants("events"), ["create", "patch"]);
  const leases = objects.components.find((o) => o.kind === "Role") as unknown as {
    rules: { resources: string[] }[];
  };
  assert.deepEqual(leases.rules[0]?.resources, ["leases"]);
});

test("CRDs come first, follow the selected controllers and carry no per-namespace label", () => {
  assert.deepEqual(
    crdsFor(["gitrepository"]).map((c) => c.metadata.name),
    ["gitrepositories.source.toolkit.fluxcd.io"],
  );
  assert.deepEqual(crdsFor([]), []);
  const all = allInstallObjects(installObjects(options));
  assert.equal(all[0]?.kind, "CustomResourceDefinition");
  assert.equal(all[1]?.kind, "Namespace");
  assert.equal(all[0]?.metadata.labels?.["app.kubernetes.io/instance"], undefined);
});

test("the Deployment is locked down: non-root, read-only root filesystem with emptyDirs, probes and requests", () => {
  const deployment = installObjects(options).components.find((o) => o.kind === "Deployment") as unknown as {
    spec: {
      template: {
        spec: { containers: Record<string, unknown>[]; volumes: { name: string; emptyDir?: object }[] };
      };
    };
  };
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0] as {
    securityContext: { runAsNonRoot: boolean; readOnlyRootFilesystem: boolean };
    livenessProbe: { httpGet: { path: string } };
    readinessProbe: { httpGet: { path: string } };
    resources: { requests: Record<string, string> };
    volumeMounts: { name: string; mountPath: string }[];
  };
  assert.equal(c.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.livenessProbe.httpGet.path, "/healthz");
  assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  assert.ok(c.resources.requests["cpu"] && c.resources.requests["memory"]);
  assert.deepEqual(
    c.volumeMounts.map((m) => m.mountPath),
    ["/data", "/tmp"],
  );
  assert.ok(pod.volumes.every((v) => v.emptyDir));
});

test("--toleration-keys lets the server's Pod onto nodes tainted with those keys; without it there are none", () => {
  const podSpec = (tolerationKeys?: string[]) => {
    const deployment = installObjects({ ...options, tolerationKeys }).components.find(
      (o) => o.kind === "Deployment",
    );
    return (deployment?.["spec"] as { template: { spec: { tolerations?: unknown } } }).template.spec;
  };
  assert.deepEqual(podSpec(["pool", "sluice.dev/real-node"]).tolerations, [
    { key: "pool", operator: "Exists" },
    { key: "sluice.dev/real-node", operator: "Exists" },
  ]);
  assert.equal(podSpec().tolerations, undefined);
  assert.equal(podSpec([]).tolerations, undefined);
});
