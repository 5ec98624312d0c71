import assert from "node:assert/strict";
import { test } from "node:test";
import type { CustomResourceDefinition } from "../src/api/crd.ts";
import { crds } from "../src/api/registry.ts";
import { parseGitRepository } from "../src/api/source/gitrepository/index.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { KubeApiError } from "../src/kube/errors.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

const FIELD_MANAGER = "sluice-api-test";
const GIT = "source.toolkit.fluxcd.io";

/** A minimal valid spec per kind and served version; a new kind fails here until it adds one. */
const samples: Record<string, (version: string) => Record<string, unknown>> = {
  [`${GIT}/GitRepository`]: () => ({ url: "https://git.example.com/org/repo.git", interval: "5m" }),
  // Each version's sample carries fields only that version documents, so the round trip through
  // the other versions shows that conversion None keeps them.
  "kustomize.toolkit.fluxcd.io/Kustomization": (version) => {
    const base = { interval: "5m", prune: true, sourceRef: { kind: "GitRepository", name: "repo" } };
    const json6902 = {
      target: { group: "apps", version: "v1", kind: "Deployment", name: "web" },
      patch: [
        { op: "add", path: "/spec/template/metadata/labels", value: { tier: "web", replicas: 2, on: null } },
        { op: "remove", path: "/spec/paused" },
      ],
    };
    if (version === "v1beta1")
      return { ...base, validation: "server", kubeConfig: { secretRef: { name: "remote" } } };
    if (version === "v1beta2")
      return {
        ...base,
        validation: "client",
        patchesStrategicMerge: [{ apiVersion: "v1", kind: "Service", metadata: { name: "web" } }],
        patchesJson6902: [json6902],
      };
    return {
      ...base,
      sourceRef: { kind: "OCIRepository", name: "manifests" },
      deletionPolicy: "Orphan",
      namePrefix: "sample-",
      patches: [{ patch: "- op: remove\n  path: /spec/paused\n", target: { kind: "Deployment" } }],
      postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] },
    };
  },
  "image.toolkit.fluxcd.io/ImageRepository": (version) => {
    const base = { image: "ghcr.io/example/web", interval: "5m", secretRef: { name: "regcred" } };
    if (version === "v1beta1")
      return {
        ...base,
        certSecretRef: { name: "ca" },
        accessFrom: { namespaceSelectors: [{ matchLabels: {} }] },
      };
    if (version === "v1beta2") return { ...base, exclusionList: ["^.*\\.sig$", "^dev-"], provider: "aws" };
    return { ...base, timeout: "1m", proxySecretRef: { name: "proxy" }, insecure: true };
  },
  "image.toolkit.fluxcd.io/ImagePolicy": (version) => {
    const base = { imageRepositoryRef: { name: "web" } };
    if (version === "v1beta1")
      return {
        ...base,
        filterTags: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts" },
        policy: { numerical: { order: "asc" } },
      };
    if (version === "v1beta2")
      return {
        ...base,
        policy: { semver: { range: ">=1.0.0" } },
        digestReflectionPolicy: "Always",
        interval: "10m",
      };
    return {
      imageRepositoryRef: { name: "web", namespace: "registry" },
      policy: { alphabetical: {} },
      suspend: true,
    };
  },
  "image.toolkit.fluxcd.io/ImageUpdateAutomation": (version) => {
    const author = { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" };
    if (version === "v1beta1")
      return {
        interval: "1m0s",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        git: {
          checkout: { ref: { branch: "main" } },
          commit: { author, messageTemplate: "{{range .Updated.Images}}{{println .}}{{end}}" },
          push: { branch: "main" },
        },
        update: { path: "./clusters/my-cluster", strategy: "Setters" },
      };
    if (version === "v1beta2")
      return {
        interval: "30m",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        policySelector: { matchLabels: { team: "web" } },
        git: {
          commit: { author, signingKey: { secretRef: { name: "signing-key" } } },
          push: { branch: "auto", options: { "merge_request.create": "" } },
        },
        update: { strategy: "Setters" },
      };
    return {
      interval: "5m",
      sourceRef: { kind: "GitRepository", name: "fleet", namespace: "git-sources" },
      policySelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] },
      git: {
        checkout: { ref: { name: "refs/heads/main" } },
        commit: { author, messageTemplateValues: { env: "prod" } },
        push: { refspec: "refs/heads/main:refs/heads/auto" },
      },
      update: { path: "./clusters/prod", strategy: "Setters" },
      suspend: true,
    };
  },
  "notification.toolkit.fluxcd.io/Receiver": (version) => {
    const base = { secretRef: { name: "webhook-token" } };
    if (version === "v1beta1")
      return {
        ...base,
        type: "github",
        events: ["ping", "push"],
        resources: [{ kind: "GitRepository", name: "app" }],
      };
    if (version === "v1beta2")
      return {
        ...base,
        type: "harbor",
        interval: "30m",
        resources: [{ apiVersion: "image.toolkit.fluxcd.io/v1beta2", kind: "ImageRepository", name: "web" }],
      };
    return {
      ...base,
      type: "generic-hmac",
      resources: [{ kind: "OCIRepository", name: "*", namespace: "apps", matchLabels: { team: "web" } }],
      resourceFilter: "request.body.tag.startsWith('v')",
      suspend: true,
    };
  },
  "notification.toolkit.fluxcd.io/Provider": (version) => {
    if (version === "v1beta1")
      return {
        type: "slack",
        channel: "general",
        address: "https://hooks.slack.com/services/x",
        interval: "10m",
      };
    if (version === "v1beta2")
      return {
        type: "generic",
        address: "https://example.com/hook",
        proxy: "http://proxy:3128",
        timeout: "30s",
      };
    return {
      type: "github",
      address: "https://github.com/org/repo",
      secretRef: { name: "github-token" },
      commitStatusExpr: "event.metadata.revision",
      proxySecretRef: { name: "proxy" },
    };
  },
  "notification.toolkit.fluxcd.io/Alert": (version) => {
    const base = { providerRef: { name: "slack" }, eventSources: [{ kind: "Kustomization", name: "*" }] };
    if (version === "v1beta1") return { ...base, eventSeverity: "error", summary: "production cluster" };
    if (version === "v1beta2")
      return { ...base, inclusionList: [".*succeeded.*"], exclusionList: ["^Dependencies"] };
    return { ...base, eventMetadata: { env: "prod", cluster: "eu-1" }, suspend: true };
  },
};

async function installCrds(client: KubeClient): Promise<void> {
  for (const crd of crds) await client.apply(crd, { fieldManager: FIELD_MANAGER, force: true });
  for (const crd of crds) await waitForEstablished(client, crd);
}

async function waitForEstablished(client: KubeClient, crd: CustomResourceDefinition): Promise<void> {
  const established = async () => {
    const live = await client.get<
      KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
    >("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name);
    const ok = live.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    return ok ? true : undefined;
  };
  await waitFor(`CRD ${crd.metadata.name} to be Established`, established, { timeoutMs: 30_000 });
  for (const version of crd.spec.versions) {
    await waitFor(`discovery of ${crd.spec.group}/${version.name}`, async () => {
      client.resetDiscovery();
      return client.resourceFor(`${crd.spec.group}/${version.name}`, crd.spec.names.kind);
    });
  }
}

const apiVersion = (version: string) => `${GIT}/${version}`;

async function getAs(client: KubeClient, version: string, name: string, namespace: string) {
  return client.get<KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> }>(
    apiVersion(version),
    "GitRepository",
    name,
    namespace,
  );
}

test("every generated CRD is accepted, Established, and serves objects in each served version", async (t) => {
  const client = await adminClient(t);
  await installCrds(client);
  const namespace = await testNamespace(t, client, "api");
  for (const crd of crds) {
    const sample = samples[`${crd.spec.group}/${crd.spec.names.kind}`];
    assert.ok(sample, `no sample object for ${crd.spec.names.kind}`);
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const name = `sample-${version.name}`;
      const created: KubeObject = await client.create({
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind: crd.spec.names.kind,
        metadata: { name, namespace },
        spec: sample(version.name),
      });
      assert.equal(created.apiVersion, `${crd.spec.group}/${version.name}`);
      for (const other of crd.spec.versions.filter((v) => v.served)) {
        const read = await client.get(
          `${crd.spec.group}/${other.name}`,
          crd.spec.names.kind,
          name,
          namespace,
        );
        assert.deepEqual(read["spec"], created["spec"], `${version.name} object read as ${other.name}`);
      }
    }
  }
});

test("a v1beta1 GitRepository keeps its deprecated fields when read as v1, and they are reported", async (t) => {
  const client = await adminClient(t);
  await installCrds(client);
  const namespace = await testNamespace(t, client, "api");
  await client.create({
    apiVersion: apiVersion("v1beta1"),
    kind: "GitRepository",
    metadata: { name: "legacy", namespace },
    spec: {
      url: "ssh://git@git.example.com/org/legacy.git",
      interval: "1m",
      ref: { branch: "main" },
      gitImplementation: "libgit2",
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: "a" } }] },
      verify: { mode: "head", secretRef: { name: "pgp-keys" } },
    },
  });

  const asV1 = await getAs(client, "v1", "legacy", namespace);
  assert.equal(asV1.apiVersion, apiVersion("v1"));
  assert.equal(asV1.spec["gitImplementation"], "libgit2");
  assert.deepEqual(asV1.spec["accessFrom"], { namespaceSelectors: [{ matchLabels: { team: "a" } }] });
  assert.equal(asV1.spec["timeout"], "60s", "the API server applied the default");
  assert.deepEqual(asV1.spec["verify"], { mode: "head", secretRef: { name: "pgp-keys" } });

  const { object, deprecated } = parseGitRepository(asV1);
  assert.deepEqual(deprecated.sort(), ["spec.accessFrom", "spec.gitImplementation"]);
  assert.equal(object.spec.url, "ssh://git@git.example.com/org/legacy.git");
  assert.deepEqual(object.spec.ref, { branch: "main" });
  assert.equal("gitImplementation" in object.spec, false);

  const asV1beta2 = await getAs(client, "v1beta2", "legacy", namespace);
  assert.equal(asV1beta2.spec["gitImplementation"], "libgit2");
});

test("v1-only fields and a v1 status survive reads through the older versions", async (t) => {
  const client = await adminClient(t);
  await installCrds(client);
  const namespace = await testNamespace(t, client, "api");
  const spec = {
    url: "https://git.example.com/org/app.git",
    interval: "10m",
    timeout: "30s",
    ref: { name: "refs/pull/420/head" },
    provider: "azure",
    serviceAccountName: "git-reader",
    sparseCheckout: ["deploy"],
    proxySecretRef: { name: "proxy" },
    verify: { mode: "TagAndHEAD", secretRef: { name: "keys" } },
  };
  await client.create({
    apiVersion: apiVersion("v1"),
    kind: "GitRepository",
    metadata: { name: "app", namespace },
    spec,
  });
  const status = {
    observedGeneration: 1,
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "Succeeded",
        message: "stored artifact",
        lastTransitionTime: "2024-05-01T10:00:00Z",
        observedGeneration: 1,
      },
    ],
    artifact: {
      path: "gitrepository/ns/app/abc.tar.gz",
      url: "http://sluice.example/gitrepository/ns/app/abc.tar.gz",
      revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
      digest: "sha256:" + "a".repeat(64),
      lastUpdateTime: "2024-05-01T10:00:00Z",
      size: 1234,
    },
    observedSparseCheckout: ["deploy"],
    sourceVerificationMode: "TagAndHEAD",
  };
  await client.patch(
    { apiVersion: apiVersion("v1"), kind: "GitRepository", name: "app", namespace },
    { status },
    { subresource: "status" },
  );

  for (const version of ["v1beta1", "v1beta2"]) {
    const read = await getAs(client, version, "app", namespace);
    assert.deepEqual(read.spec, spec, `spec read as ${version}`);
    assert.deepEqual(read.status, status, `status read as ${version}`);
  }
  const { object, deprecated } = parseGitRepository(await getAs(client, "v1", "app", namespace));
  assert.deepEqual(deprecated, []);
  assert.deepEqual(object.status.artifact, status.artifact);
});

test("a status written by an older controller converts: checksum becomes digest", async (t) => {
  const client = await adminClient(t);
  await installCrds(client);
  const namespace = await testNamespace(t, client, "api");
  const ref = { apiVersion: apiVersion("v1beta2"), kind: "GitRepository", name: "old", namespace };
  await client.create({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: "old", namespace },
    spec: { url: "https://git.example.com/org/old.git", interval: "5m" },
  });
  const checksum = "b".repeat(64);
  await client.patch(
    ref,
    {
      status: {
        url: "http://source-controller/gitrepository/ns/old/latest.tar.gz",
        contentConfigChecksum: "sha256:" + "c".repeat(64),
        artifact: {
          path: "gitrepository/ns/old/x.tar.gz",
          url: "http://source-controller/gitrepository/ns/old/x.tar.gz",
          revision: "master/0123456789abcdef0123456789abcdef01234567",
          checksum,
          lastUpdateTime: "2022-02-14T11:23:36Z",
        },
      },
    },
    { subresource: "status" },
  );
  const { object, deprecated } = parseGitRepository(await getAs(client, "v1", "old", namespace));
  assert.equal(object.status.artifact?.digest, `sha256:${checksum}`);
  assert.deepEqual(deprecated.sort(), [
    "status.artifact.checksum",
    "status.contentConfigChecksum",
    "status.url",
  ]);
});

test("the API server enforces the generated validation", async (t) => {
  const client = await adminClient(t);
  await installCrds(client);
  const namespace = await testNamespace(t, client, "api");
  const attempt = (name: string, spec: Record<string, unknown>, version = "v1") =>
    client.create({
      apiVersion: apiVersion(version),
      kind: "GitRepository",
      metadata: { name, namespace },
      spec,
    });
  const rejected = async (promise: Promise<unknown>, message: RegExp) => {
    await assert.rejects(
      promise,
      (err: unknown) => err instanceof KubeApiError && err.status === 422 && message.test(err.message),
    );
  };
  await rejected(attempt("ftp-url", { url: "ftp://x.example/r", interval: "1m" }), /spec\.url/);
  await rejected(
    attempt("bad-interval", { url: "https://x.example/r.git", interval: "soon" }, "v1beta1"),
    /spec\.interval/,
  );
  await rejected(attempt("no-interval", { url: "https://x.example/r.git" }, "v1beta2"), /spec\.interval/);
  await rejected(
    attempt("sa-without-provider", {
      url: "https://x.example/r.git",
      interval: "1m",
      serviceAccountName: "sa",
    }),
    /serviceAccountName can only be set/,
  );
  await rejected(
    attempt(
      "bad-impl",
      { url: "https://x.example/r.git", interval: "1m", gitImplementation: "jgit" },
      "v1beta2",
    ),
    /gitImplementation/,
  );
});
