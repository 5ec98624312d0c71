import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../kube/objects.ts";
import {
  BuildError,
  type BuildManifestsOptions,
  PathEscapeError,
  PathNotFoundError,
  SubstitutionError,
  UnsupportedKustomizationError,
  VariablesNotFoundError,
  buildManifests,
} from "./index.ts";
import {
  type ArtifactFiles,
  artifact,
  configMap,
  deployment,
  kustomizeBinary,
} from "./artifacts.test-support.ts";

let binary: string;
let workDir: string;

before(async () => {
  binary = await kustomizeBinary();
  workDir = await mkdtemp(path.join(os.tmpdir(), "sluice-manifests-test-"));
});
after(() => rm(workDir, { recursive: true, force: true }));

type Options = Partial<Omit<BuildManifestsOptions, "artifact">>;

function build(files: ArtifactFiles, options: Options = {}): Promise<KubeObject[]> {
  return buildManifests({
    artifact: artifact(files),
    revision: "main@sha1:0123abc",
    kustomization: {},
    lookupVars: () => Promise.resolve(undefined),
    kustomizeBinary: binary,
    workDir,
    ...options,
  });
}

function ids(objects: KubeObject[]): string[] {
  return objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join("/")).sort();
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} in ${ids(objects).join(", ")}`);
  return found;
}

const substitutionFiles: ArtifactFiles = {
  "cm.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: settings-${cluster}",
    "data:",
    "  region: ${region:=eu-west-1}",
    "  tier: ${tier:-standard}",
    "  script: echo $${HOME} $HOME",
    "  owner: ${owner}",
    "  from: ${source}",
    "",
  ].join("\n"),
  "raw.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: raw",
    "  annotations:",
    "    kustomize.toolkit.fluxcd.io/substitute: disabled",
    "data:",
    "  template: ${keep_me}",
    "",
  ].join("\n"),
  "app.yaml": deployment("app").replace("replicas: 1", "replicas: ${replicas}"),
};
const variableSources: Record<string, Record<string, string>> = {
  "ConfigMap/cluster-vars": { cluster: "from-configmap", source: "configmap", owner: "cm" },
  "Secret/cluster-secrets": { source: "secret", owner: "secret" },
};
const lookupVars: BuildManifestsOptions["lookupVars"] = (kind, name) =>
  Promise.resolve(variableSources[`${kind}/${name}`]);

describe("buildManifests", () => {
  it("builds plain manifests without a kustomization.yaml, recursively", async () => {
    const objects = await build(
      {
        "deploy/app.yaml": deployment("app"),
        "deploy/config/cm.yml": configMap("settings"),
        "deploy/config/nested/more.json": JSON.stringify({
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name: "runner" },
        }),
        "deploy/values.yaml": "replicaCount: 2\nimage: nginx\n",
        "deploy/.github/workflows/ci.yaml": "on: push\njobs: {}\n",
        "deploy/addon/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: addon-\n",
        "deploy/addon/cm.yaml": configMap("cm"),
        "elsewhere/ignored.yaml": configMap("ignored"),
      },
      { path: "./deploy" },
    );
    assert.deepEqual(ids(objects), [
      "ConfigMap/addon-cm",
      "ConfigMap/settings",
      "Deployment/app",
      "ServiceAccount/runner",
    ]);
  });

  it("builds an existing overlay on its base", async () => {
    const objects = await build(
      {
        "base/kustomization.yaml": "resources: [app.yaml]\n",
        "base/app.yaml": deployment("app"),
        "overlays/prod/kustomization.yaml": [
          "resources: [../../base, cm.yaml]",
          "namePrefix: prod-",
          "patches:",
          "  - target: {kind: Deployment}",
          "    patch: |",
          "      - op: replace",
          "        path: /spec/replicas",
          "        value: 3",
          "",
        ].join("\n"),
        "overlays/prod/cm.yaml": configMap("extra"),
      },
      { path: "overlays/prod" },
    );
    assert.deepEqual(ids(objects), ["ConfigMap/prod-extra", "Deployment/prod-app"]);
    assert.equal((find(objects, "Deployment", "prod-app")["spec"] as { replicas: number }).replicas, 3);
  });
});

describe("buildManifests with the Kustomization's settings", () => {
  it("applies them on top of the file", async () => {
    const objects = await build(
      {
        "app/kustomization.yaml": "resources: [app.yaml]\nimages: [{name: nginx, newTag: '1.0'}]\n",
        "app/app.yaml": deployment("web", "nginx:1.25"),
        "components/extra/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\n",
        "components/extra/cm.yaml": configMap("extra"),
      },
      {
        path: "app",
        kustomization: {
          targetNamespace: "apps",
          namePrefix: "team-",
          nameSuffix: "-v1",
          commonMetadata: { labels: { owner: "team" }, annotations: { note: "hi" } },
          patches: [
            {
              target: { kind: "Deployment", name: "web" },
              patch: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n",
            },
          ],
          images: [{ name: "nginx", newName: "registry.local/nginx", newTag: "1.27" }],
          components: ["../components/extra"],
        },
      },
    );
    assert.deepEqual(ids(objects), ["ConfigMap/apps/team-extra-v1", "Deployment/apps/team-web-v1"]);
    const web = find(objects, "Deployment", "team-web-v1");
    const spec = web["spec"] as {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: Array<{ image: string }> };
      };
    };
    assert.equal(spec.replicas, 2);
    assert.equal(spec.template.spec.containers[0]?.image, "registry.local/nginx:1.27");
    assert.deepEqual(web.metadata.labels, { app: "web", owner: "team" });
    assert.deepEqual(web.metadata.annotations, { note: "hi" });
    // commonMetadata touches the objects' own metadata only, as in Flux.
    assert.deepEqual(spec.selector.matchLabels, { app: "web" });
    assert.deepEqual(spec.template.metadata.labels, { app: "web" });
  });
});

describe("buildManifests post-build substitution", () => {
  it("substitutes from substituteFrom in order and from substitute over all, honouring defaults and escapes", async () => {
    const objects = await build(substitutionFiles, {
      lookupVars,
      kustomization: {
        postBuild: {
          substituteFrom: [
            { kind: "ConfigMap", name: "cluster-vars" },
            { kind: "Secret", name: "cluster-secrets" },
            { kind: "ConfigMap", name: "not-there", optional: true },
          ],
          substitute: { cluster: "prod", replicas: "4" },
        },
      },
    });
    const settings = find(objects, "ConfigMap", "settings-prod");
    assert.deepEqual(settings["data"], {
      region: "eu-west-1",
      tier: "standard",
      script: "echo ${HOME} $HOME",
      owner: "secret",
      from: "secret",
    });
    assert.deepEqual(find(objects, "ConfigMap", "raw")["data"], { template: "${keep_me}" });
    assert.equal((find(objects, "Deployment", "app")["spec"] as { replicas: number }).replicas, 4);
  });

  it("fails on a missing source unless it is optional", async () => {
    await assert.rejects(
      build(substitutionFiles, {
        lookupVars,
        kustomization: { postBuild: { substituteFrom: [{ kind: "Secret", name: "not-there" }] } },
      }),
      (err) => err instanceof VariablesNotFoundError && err.message.includes("Secret 'not-there' not found"),
    );
  });

  it("fails in strict mode on an undefined variable without a default, naming the object", async () => {
    await assert.rejects(
      build(substitutionFiles, {
        strictSubstitution: true,
        kustomization: { postBuild: { substitute: { cluster: "prod", source: "x", replicas: "1" } } },
      }),
      (err) =>
        err instanceof SubstitutionError &&
        err.object === "ConfigMap/settings-${cluster}" &&
        err.message.includes("variable 'owner' is not set and has no default"),
    );
  });

  it("leaves everything as built without any variable", async () => {
    const objects = await build({ "cm.yaml": configMap("${name}") }, { kustomization: { postBuild: {} } });
    assert.deepEqual(ids(objects), ["ConfigMap/${name}"]);
  });
});

describe("buildManifests refuses to leave the artifact", () => {
  it("through the path", async () => {
    await assert.rejects(build({ "a.yaml": configMap("a") }, { path: "../x" }), {
      name: "PathEscapeError",
      message: "path '../x' points outside the source artifact",
    });
    await assert.rejects(build({ "a.yaml": configMap("a") }, { path: "/etc" }), PathEscapeError);
  });

  it("through a symlinked directory", async () => {
    await assert.rejects(
      build({ "apps/a.yaml": configMap("a"), "apps/etc": { symlink: "/etc" } }, { path: "apps/etc" }),
      (err) => err instanceof PathEscapeError && err.message.includes("symlink 'apps/etc' points outside"),
    );
  });

  it("through a symlinked file referenced as a resource", async () => {
    await assert.rejects(
      build({
        "kustomization.yaml": "resources: [passwd.yaml]\n",
        "passwd.yaml": { symlink: "/etc/passwd" },
      }),
      (err) =>
        err instanceof PathEscapeError &&
        err.message === "symlink 'passwd.yaml' points outside the source artifact (to '/etc/passwd')",
    );
  });

  it("through a resource path", async () => {
    await assert.rejects(
      build({ "kustomization.yaml": "resources: [../../../../../etc]\n" }),
      PathEscapeError,
    );
  });
});

describe("buildManifests errors and symlinks", () => {
  it("reads symlinked files that stay inside the artifact", async () => {
    const objects = await build(
      { "shared/cm.yaml": configMap("shared"), "app/cm.yaml": { symlink: "../shared/cm.yaml" } },
      { path: "app" },
    );
    assert.deepEqual(ids(objects), ["ConfigMap/shared"]);
  });

  it("reports a missing path with the revision", async () => {
    await assert.rejects(build({ "a.yaml": configMap("a") }, { path: "./clusters/prod" }), (err) => {
      assert.ok(err instanceof PathNotFoundError);
      assert.equal(err.message, "path './clusters/prod' not found in revision 'main@sha1:0123abc'");
      return true;
    });
  });

  it("reports kustomize's message for a malformed manifest", async () => {
    await assert.rejects(
      build({
        "ok.yaml": configMap("ok"),
        "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
      }),
      (err) =>
        err instanceof BuildError &&
        err.message.startsWith("kustomize build failed: ") &&
        err.message.includes("broken.yaml") &&
        err.stderr.includes("MalformedYAMLError"),
    );
  });

  it("refuses remote resources and helm charts", async () => {
    await assert.rejects(
      build({ "kustomization.yaml": "resources:\n- github.com/org/repo/deploy?ref=v1\n" }),
      (err) =>
        err instanceof UnsupportedKustomizationError &&
        err.message.includes("'github.com/org/repo/deploy?ref=v1' is remote"),
    );
    await assert.rejects(
      build({ "kustomization.yaml": "helmCharts:\n- name: podinfo\n" }),
      UnsupportedKustomizationError,
    );
  });

  it("removes its workspace whatever happens", async () => {
    await build({ "a.yaml": configMap("a") });
    await assert.rejects(build({ "a.yaml": configMap("a") }, { path: "missing" }), PathNotFoundError);
    await assert.rejects(build({ "kustomization.yaml": "resources: [nope.yaml]\n" }), BuildError);
    assert.deepEqual(await readdir(workDir), []);
  });
});
