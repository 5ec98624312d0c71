import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { UnsupportedKustomizationError } from "./errors.ts";
import { isManifestText, listManifestResources, prepareKustomization } from "./generate.ts";
import { type ArtifactFiles, artifact, configMap } from "./artifacts.test-support.ts";
import { createWorkspace } from "./workspace.ts";
import { parseYaml } from "./yaml.ts";

async function withWorkspace(files: ArtifactFiles, fn: (root: string) => Promise<void>): Promise<void> {
  const workspace = await createWorkspace(artifact(files));
  try {
    await fn(workspace.root);
  } finally {
    await workspace.dispose();
  }
}

async function readKustomization(file: string): Promise<Record<string, unknown>> {
  return parseYaml(await readFile(file, "utf8")) as Record<string, unknown>;
}

const existingKustomization = [
  "# the user's own file",
  "namespace: theirs",
  "resources: [cm.yaml]",
  "components: [../c1]",
  "patches:",
  "  - path: patch.yaml",
  "images:",
  "  - name: nginx",
  "    newTag: '1.0'",
  "  - name: redis",
  "    newTag: '7'",
  "",
].join("\n");

describe("listManifestResources", () => {
  it("lists manifests recursively in name order, nested kustomizations as directories", async () => {
    await withWorkspace(
      {
        "b.yaml": configMap("b"),
        "a.yml": configMap("a"),
        "sub/deep/c.yaml": configMap("c"),
        "sub/d.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d" } }),
        "sub/values.yaml": "replicas: 3\n",
        "sub/empty.yaml": "",
        "sub/broken.json": "{ not json",
        "sub/dashboard.json": '{"title": "not a manifest"}',
        "sub/readme.md": "# hi",
        "sub/UPPER.YAML": configMap("upper"),
        "base/kustomization.yaml": "resources: [x.yaml]\n",
        "base/x.yaml": configMap("x"),
        ".hidden/e.yaml": configMap("e"),
        "multi.yaml": `${configMap("m1")}---\nnot: a manifest\n`,
        "malformed.yaml": "apiVersion: v1\nkind: [\n",
      },
      async (root) => {
        assert.deepEqual(await listManifestResources(root), [
          "./.hidden/e.yaml",
          "./a.yml",
          "./b.yaml",
          "./base",
          "./malformed.yaml",
          "./multi.yaml",
          "./sub/d.json",
          "./sub/deep/c.yaml",
        ]);
      },
    );
  });

  it("counts a List as a manifest, and a document missing its kind or apiVersion too (kustomize names it)", () => {
    assert.ok(isManifestText("apiVersion: v1\nkind: List\nitems: []\n", "list.yaml"));
    assert.ok(isManifestText("kind: ConfigMap\n", "x.yaml"));
    assert.ok(isManifestText("apiVersion: v1\nmetadata:\n  name: x\n", "x.yaml"));
    assert.ok(!isManifestText("replicas: 3\nimage: x\n", "values.yaml"));
    assert.ok(!isManifestText("- apiVersion: v1\n  kind: ConfigMap\n", "x.yaml"));
  });
});

describe("prepareKustomization", () => {
  it("generates a kustomization.yaml with the Kustomization's settings", async () => {
    await withWorkspace({ "app/cm.yaml": configMap("cm") }, async (root) => {
      const dir = path.join(root, "app");
      const { file, generated } = await prepareKustomization(dir, {
        targetNamespace: "apps",
        namePrefix: "p-",
        nameSuffix: "-s",
        patches: [
          {
            patch: "- op: add\n  path: /data/x\n  value: y\n",
            target: { kind: "ConfigMap", name: undefined },
          },
        ],
        images: [{ name: "nginx", newTag: "1.27" }],
      });
      assert.ok(generated);
      assert.equal(file, path.join(dir, "kustomization.yaml"));
      assert.deepEqual(await readKustomization(file), {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["./cm.yaml"],
        namespace: "apps",
        namePrefix: "p-",
        nameSuffix: "-s",
        patches: [{ patch: "- op: add\n  path: /data/x\n  value: y\n", target: { kind: "ConfigMap" } }],
        images: [{ name: "nginx", newTag: "1.27" }],
      });
    });
  });

  it("merges into an existing file: scalars replaced, lists appended, images replaced by name", async () => {
    await withWorkspace(
      {
        "app/Kustomization": existingKustomization,
        "app/cm.yaml": configMap("cm"),
        "c1/kustomization.yaml": "",
        "c2/x": "",
      },
      async (root) => {
        const dir = path.join(root, "app");
        const { file, generated } = await prepareKustomization(dir, {
          targetNamespace: "ours",
          patches: [{ patch: "kind: ConfigMap" }],
          components: ["../c2", "../missing"],
          ignoreMissingComponents: true,
          images: [
            { name: "nginx", newName: "registry/nginx", digest: "sha256:abc" },
            { name: "busybox", newTag: "1" },
          ],
        });
        assert.ok(!generated);
        assert.equal(path.basename(file), "Kustomization");
        assert.deepEqual(await readKustomization(file), {
          namespace: "ours",
          resources: ["cm.yaml"],
          components: ["../c1", "../c2"],
          patches: [{ path: "patch.yaml" }, { patch: "kind: ConfigMap" }],
          images: [
            { name: "nginx", newName: "registry/nginx", digest: "sha256:abc" },
            { name: "redis", newTag: "7" },
            { name: "busybox", newTag: "1" },
          ],
        });
      },
    );
  });
});

describe("prepareKustomization edge cases", () => {
  it("keeps missing components unless told to ignore them, and refuses remote ones", async () => {
    await withWorkspace({ "app/kustomization.yaml": "resources: []\n" }, async (root) => {
      const dir = path.join(root, "app");
      await prepareKustomization(dir, { components: ["../missing"] });
      assert.deepEqual((await readKustomization(path.join(dir, "kustomization.yaml")))["components"], [
        "../missing",
      ]);
      await assert.rejects(
        prepareKustomization(dir, { components: ["https://github.com/org/repo//component"] }),
        UnsupportedKustomizationError,
      );
      await assert.rejects(
        prepareKustomization(dir, { components: ["/abs"] }),
        UnsupportedKustomizationError,
      );
    });
  });

  it("adds an empty resources list so that kustomize builds a kustomization without fields", async () => {
    await withWorkspace(
      { "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" },
      async (root) => {
        await prepareKustomization(root, {});
        assert.deepEqual((await readKustomization(path.join(root, "kustomization.yaml")))["resources"], []);
      },
    );
  });

  it("replaces a dangling kustomization symlink instead of writing through it", async () => {
    await withWorkspace(
      {
        "app/cm.yaml": configMap("cm"),
        "app/kustomization.yaml": { symlink: "../shared/kustomization.yaml" },
      },
      async (root) => {
        const { generated } = await prepareKustomization(path.join(root, "app"), { namePrefix: "x-" });
        assert.ok(generated);
        await assert.rejects(readFile(path.join(root, "shared/kustomization.yaml")), { code: "ENOENT" });
      },
    );
  });

  it("names the file when settings cannot be merged into it", async () => {
    await withWorkspace({ "kustomization.yaml": "resources: [\n" }, async (root) => {
      await prepareKustomization(root, {}); // left for kustomize to report
      await assert.rejects(
        prepareKustomization(root, { namePrefix: "x-" }),
        /kustomization\.yaml is not valid YAML/,
      );
    });
    await withWorkspace({ "kustomization.yaml": "patches: {}\n" }, async (root) => {
      await assert.rejects(
        prepareKustomization(root, { patches: [{ patch: "x" }] }),
        /kustomization\.yaml: 'patches' is not a list/,
      );
    });
  });
});
