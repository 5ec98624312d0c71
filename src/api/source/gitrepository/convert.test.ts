import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidObjectError } from "../../errors.ts";
import { parseGitRepository } from "./parse.ts";
import { convertToV1 } from "./convert.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const sha256 = "95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2";
const sha1 = "132f4e719209eb10b9485302f8593fc0e680f4fc";
const condition = {
  type: "Ready",
  status: "True" as const,
  reason: "Succeeded",
  message: "stored artifact",
  lastTransitionTime: "2022-02-14T11:23:36Z",
};
const include = [{ repository: { name: "shared" }, fromPath: "deploy", toPath: "shared" }];

const sharedSpec = {
  url: "https://git.example.com/org/repo",
  secretRef: { name: "creds" },
  interval: "5m",
  timeout: "20s",
  ignore: "/*\n!/deploy\n",
  suspend: true,
  recurseSubmodules: true,
  include,
};

function v1beta2Object(): v1beta2.GitRepository {
  return v1beta2.GitRepository.parse({
    apiVersion: v1beta2.API_VERSION,
    kind: "GitRepository",
    metadata: { name: "repo", namespace: "ns", generation: 4, labels: { team: "a" } },
    spec: {
      ...sharedSpec,
      ref: { branch: "main", name: "refs/heads/main" },
      verify: { mode: "head", secretRef: { name: "keys" } },
      gitImplementation: "libgit2",
      accessFrom: { namespaceSelectors: [{ matchLabels: { env: "prod" } }] },
    },
    status: {
      observedGeneration: 4,
      conditions: [condition],
      url: "http://sc/latest.tar.gz",
      artifact: {
        path: "p.tar.gz",
        url: "http://sc/p.tar.gz",
        revision: `main/${sha1}`,
        checksum: sha256,
        lastUpdateTime: "2022-02-14T11:23:36Z",
      },
      includedArtifacts: [
        {
          path: "i.tar.gz",
          url: "http://sc/i.tar.gz",
          revision: `main/${sha1}`,
          checksum: sha1,
          lastUpdateTime: "2022-02-14T11:23:36Z",
        },
      ],
      contentConfigChecksum: `sha256:${sha256}`,
      observedIgnore: "/*\n!/deploy\n",
      observedRecurseSubmodules: true,
      observedInclude: include,
      lastHandledReconcileAt: "2022-02-14T11:20:00Z",
    },
  });
}

describe("v1beta2 convertToV1", () => {
  it("keeps every field v1 has", () => {
    const { object } = convertToV1(v1beta2Object());
    assert.equal(object.apiVersion, "source.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.metadata, {
      name: "repo",
      namespace: "ns",
      generation: 4,
      labels: { team: "a" },
    });
    assert.deepEqual(object.spec, {
      ...sharedSpec,
      ref: { branch: "main", name: "refs/heads/main" },
      verify: { mode: "head", secretRef: { name: "keys" } },
    });
    assert.deepEqual(object.status, {
      observedGeneration: 4,
      conditions: [condition],
      artifact: {
        path: "p.tar.gz",
        url: "http://sc/p.tar.gz",
        revision: `main/${sha1}`,
        digest: `sha256:${sha256}`,
        lastUpdateTime: "2022-02-14T11:23:36Z",
      },
      includedArtifacts: [
        {
          path: "i.tar.gz",
          url: "http://sc/i.tar.gz",
          revision: `main/${sha1}`,
          digest: `sha1:${sha1}`,
          lastUpdateTime: "2022-02-14T11:23:36Z",
        },
      ],
      observedIgnore: "/*\n!/deploy\n",
      observedRecurseSubmodules: true,
      observedInclude: include,
      lastHandledReconcileAt: "2022-02-14T11:20:00Z",
    });
  });

  it("reports each deprecated field once", () => {
    const { deprecated } = convertToV1(v1beta2Object());
    assert.deepEqual(deprecated.sort(), [
      "spec.accessFrom",
      "spec.gitImplementation",
      "status.artifact.checksum",
      "status.contentConfigChecksum",
      "status.includedArtifacts[].checksum",
      "status.url",
    ]);
  });

  it("prefers an existing digest over the checksum", () => {
    const obj = v1beta2Object();
    obj.status.artifact = { ...obj.status.artifact!, digest: `sha512:${"d".repeat(128)}` };
    assert.equal(convertToV1(obj).object.status.artifact?.digest, `sha512:${"d".repeat(128)}`);
  });

  it("drops, and reports, an artifact that cannot become a v1 artifact", () => {
    const obj = v1beta2Object();
    obj.status.artifact = { path: "p.tar.gz", url: "http://sc/p.tar.gz" };
    const { object, deprecated } = convertToV1(obj);
    assert.equal(object.status.artifact, undefined);
    assert.ok(deprecated.includes("status.artifact"));
  });
});

describe("v1beta1 convertToV1", () => {
  const obj = (): v1beta1.GitRepository =>
    v1beta1.GitRepository.parse({
      apiVersion: v1beta1.API_VERSION,
      kind: "GitRepository",
      metadata: { name: "old", namespace: "ns" },
      spec: {
        ...sharedSpec,
        ref: { tag: "v1.0.0" },
        verify: { mode: "head", secretRef: { name: "keys" } },
        gitImplementation: "go-git",
      },
      status: {
        url: "http://sc/latest.tar.gz",
        artifact: {
          path: "p",
          url: "http://sc/p",
          revision: `v1.0.0/${sha1}`,
          checksum: sha1,
          lastUpdateTime: "2021-01-01T00:00:00Z",
        },
      },
    });

  it("keeps the data and reports the deprecated fields", () => {
    const { object, deprecated } = convertToV1(obj());
    assert.deepEqual(object.spec, {
      ...sharedSpec,
      ref: { tag: "v1.0.0" },
      verify: { mode: "head", secretRef: { name: "keys" } },
    });
    assert.equal(object.status.artifact?.digest, `sha1:${sha1}`);
    assert.deepEqual(deprecated.sort(), ["spec.gitImplementation", "status.artifact.checksum", "status.url"]);
  });

  it("refuses a verify without the secretRef v1 needs instead of dropping the verification", () => {
    const o = obj();
    o.spec.verify = { mode: "head" };
    assert.throws(
      () => convertToV1(o),
      (err: unknown) => err instanceof InvalidObjectError && /spec\.verify\.secretRef/.test(err.message),
    );
  });
});

describe("objects read as v1 under conversion None", () => {
  it("may still carry old fields, which are reported", () => {
    const { object, deprecated } = parseGitRepository({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "stored-as-v1beta2" },
      spec: { url: "https://git.example.com/r", interval: "1m", gitImplementation: "go-git" },
      status: { url: "http://sc/latest.tar.gz" },
    });
    assert.deepEqual(deprecated.sort(), ["spec.gitImplementation", "status.url"]);
    assert.deepEqual(object.spec, { url: "https://git.example.com/r", interval: "1m", timeout: "60s" });
    assert.deepEqual(object.status, {});
  });

  it("and a v1beta1 object may carry v1-only fields, which are kept", () => {
    const { object, deprecated } = parseGitRepository({
      apiVersion: "source.toolkit.fluxcd.io/v1beta1",
      kind: "GitRepository",
      metadata: { name: "mixed" },
      spec: {
        url: "https://git.example.com/r",
        interval: "1m",
        sparseCheckout: ["deploy"],
        provider: "github",
      },
    });
    assert.deepEqual(deprecated, []);
    assert.deepEqual(object.spec.sparseCheckout, ["deploy"]);
    assert.equal(object.spec.provider, "github");
  });
});
