// Examples written after the shapes Flux's GitRepository documentation shows for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseGitRepository } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const v1Examples = {
  basic: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: webapp, namespace: apps }
spec:
  interval: 5m0s
  url: https://git.example.com/team/webapp
  ref:
    branch: main
`,
  everyField: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: platform, namespace: flux-system }
spec:
  url: ssh://git@git.example.com:22/team/platform.git
  secretRef: { name: platform-ssh }
  interval: 1m
  timeout: 1m30s
  ref:
    branch: release
    commit: 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
  verify:
    mode: TagAndHEAD
    secretRef: { name: trusted-keys }
  proxySecretRef: { name: corp-proxy }
  ignore: |
    # exclude everything but deploy/
    /*
    !/deploy
  suspend: false
  recurseSubmodules: true
  include:
    - repository: { name: shared-config }
      fromPath: base
      toPath: vendor/shared
  sparseCheckout: [deploy, charts]
`,
  refs: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: pr-preview }
spec:
  interval: 10m
  url: https://git.example.com/team/webapp
  ref:
    name: refs/pull/420/head
`,
  githubApp: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: private }
spec:
  interval: 5m
  url: https://github.com/example/private
  provider: github
  secretRef: { name: github-app }
`,
  azureIdentity: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: ado }
spec:
  interval: 5m
  url: https://dev.azure.com/org/project/_git/repo
  provider: azure
  serviceAccountName: ado-reader
`,
  withStatus: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: webapp, namespace: apps, generation: 2 }
spec:
  interval: 5m
  url: https://git.example.com/team/webapp
status:
  observedGeneration: 2
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: "stored artifact for revision 'main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc'"
      lastTransitionTime: "2024-02-14T11:23:36Z"
      observedGeneration: 2
  artifact:
    digest: sha256:95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2
    lastUpdateTime: "2024-02-14T11:23:36Z"
    path: gitrepository/apps/webapp/132f4e719209eb10b9485302f8593fc0e680f4fc.tar.gz
    revision: main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc
    size: 91318
    url: http://sluice.sluice-system.svc/gitrepository/apps/webapp/132f4e719209eb10b9485302f8593fc0e680f4fc.tar.gz
  observedIgnore: "/*"
  observedRecurseSubmodules: true
  observedInclude:
    - repository: { name: shared-config }
      fromPath: base
      toPath: vendor/shared
  observedSparseCheckout: [deploy]
  sourceVerificationMode: HEAD
  lastHandledReconcileAt: "1700000000"
`,
};

const v1beta2Example = `
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: GitRepository
metadata: { name: podinfo, namespace: default }
spec:
  interval: 5m0s
  url: https://git.example.com/stefan/podinfo
  ref:
    semver: ">=6.0.0 <7.0.0"
  gitImplementation: libgit2
  verify:
    mode: head
    secretRef: { name: pgp-public-keys }
  include:
    - repository: { name: other-repository }
      fromPath: deploy/kubernetes
      toPath: base/app
status:
  observedGeneration: 1
  url: http://source-controller.flux-system.svc/gitrepository/default/podinfo/latest.tar.gz
  artifact:
    checksum: 95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2
    lastUpdateTime: "2022-02-14T11:23:36Z"
    path: gitrepository/default/podinfo/132f4e719209eb10b9485302f8593fc0e680f4fc.tar.gz
    revision: master/132f4e719209eb10b9485302f8593fc0e680f4fc
    url: http://source-controller.flux-system.svc/gitrepository/default/podinfo/132f4e719209eb10b9485302f8593fc0e680f4fc.tar.gz
  contentConfigChecksum: sha256:fcfb7ffaf5e7e0e6e9f6c3a4f1e1d1f5b0a0b6c1c1d1e1f1a1b1c1d1e1f1a1b1
`;

const v1beta1Example = `
apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: GitRepository
metadata: { name: podinfo, namespace: flux-system }
spec:
  interval: 1m
  url: https://git.example.com/stefan/podinfo
  secretRef: { name: https-credentials }
  ref:
    tag: 6.0.3
  timeout: 20s
  gitImplementation: go-git
  accessFrom:
    namespaceSelectors:
      - matchLabels: { kubernetes.io/metadata.name: tenants }
`;

describe("GitRepository v1 examples", () => {
  for (const [name, yaml] of Object.entries(v1Examples)) {
    it(`${name} parses as v1 and through parseGitRepository unchanged`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1.GitRepository.parse(doc);
      const { object, deprecated } = parseGitRepository(doc);
      assert.deepEqual(object, exact);
      assert.deepEqual(deprecated, []);
    });
  }

  it("applies Flux's defaults", () => {
    const { object } = parseGitRepository(parse(v1Examples.basic));
    assert.equal(object.spec.timeout, "60s");
    assert.deepEqual(object.status, { observedGeneration: -1 });
    const verify = parseGitRepository({
      ...parse(v1Examples.basic),
      spec: { url: "https://x.example/r", interval: "1m", verify: { secretRef: { name: "k" } } },
    });
    assert.equal(verify.object.spec.verify?.mode, "HEAD");
  });

  it("keeps every documented field", () => {
    const { object } = parseGitRepository(parse(v1Examples.everyField));
    assert.deepEqual(object.spec.include, [
      { repository: { name: "shared-config" }, fromPath: "base", toPath: "vendor/shared" },
    ]);
    assert.deepEqual(object.spec.sparseCheckout, ["deploy", "charts"]);
    assert.equal(object.spec.ref?.commit, "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567");
    assert.equal(object.spec.ignore, "# exclude everything but deploy/\n/*\n!/deploy\n");
    assert.equal(object.spec.recurseSubmodules, true);
  });
});

describe("GitRepository v1beta2 example", () => {
  it("parses as v1beta2 and converts to v1, reporting what v1 dropped", () => {
    const doc: unknown = parse(v1beta2Example);
    const exact = v1beta2.GitRepository.parse(doc);
    assert.equal(exact.spec.gitImplementation, "libgit2");
    const { object, deprecated } = parseGitRepository(doc);
    assert.equal(object.apiVersion, "source.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec.ref, { semver: ">=6.0.0 <7.0.0" });
    assert.deepEqual(object.spec.verify, { mode: "head", secretRef: { name: "pgp-public-keys" } });
    assert.equal(
      object.status.artifact?.digest,
      "sha256:95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2",
    );
    assert.deepEqual(deprecated.sort(), [
      "spec.gitImplementation",
      "status.artifact.checksum",
      "status.contentConfigChecksum",
      "status.url",
    ]);
  });
});

describe("GitRepository v1beta1 example", () => {
  it("parses as v1beta1 and converts to v1, reporting what v1 dropped", () => {
    const doc: unknown = parse(v1beta1Example);
    assert.equal(v1beta1.GitRepository.parse(doc).spec.timeout, "20s");
    const { object, deprecated } = parseGitRepository(doc);
    assert.deepEqual(object.spec, {
      url: "https://git.example.com/stefan/podinfo",
      interval: "1m",
      secretRef: { name: "https-credentials" },
      ref: { tag: "6.0.3" },
      timeout: "20s",
    });
    assert.deepEqual(deprecated.sort(), ["spec.accessFrom", "spec.gitImplementation"]);
  });
});

describe("invalid GitRepositories", () => {
  const base = parse(v1Examples.basic) as { spec: Record<string, unknown> };
  const cases: [string, unknown, RegExp][] = [
    ["an scp-like URL", { ...base, spec: { ...base.spec, url: "git@github.com:org/repo.git" } }, /spec\.url/],
    ["an ftp:// URL", { ...base, spec: { ...base.spec, url: "ftp://x.example/repo" } }, /spec\.url/],
    ["no interval", { ...base, spec: { url: "https://x.example/r" } }, /spec\.interval/],
    [
      "a malformed interval",
      { ...base, spec: { ...base.spec, interval: "five minutes" } },
      /duration such as/,
    ],
    [
      "serviceAccountName without a provider",
      { ...base, spec: { ...base.spec, serviceAccountName: "sa" } },
      /provider is 'azure' or 'aws'/,
    ],
    [
      "an unknown verify mode",
      { ...base, spec: { ...base.spec, verify: { mode: "all", secretRef: { name: "k" } } } },
      /spec\.verify\.mode/,
    ],
    ["an unserved apiVersion", { ...base, apiVersion: "source.toolkit.fluxcd.io/v1alpha1" }, /apiVersion/],
    ["another kind", { ...base, kind: "OCIRepository" }, /kind/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseGitRepository(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError && message.test(err.message) && err.message.includes("webapp"),
      );
    });
  }

  it("v1beta2 only knows verify mode head", () => {
    const doc = parse(v1beta2Example) as { spec: Record<string, unknown> };
    const tag = { ...doc, spec: { ...doc.spec, verify: { mode: "Tag", secretRef: { name: "k" } } } };
    assert.equal(v1beta2.GitRepository.safeParse(tag).success, false);
  });
});
