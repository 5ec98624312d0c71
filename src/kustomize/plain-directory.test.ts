import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { KubeObject } from "../kube/objects.ts";
import { kustomizeBuild } from "./build.ts";
import { prepareKustomization } from "./generate.ts";
import { buildPlainDirectory } from "./plain-directory.ts";
import { configMap, deployment, kustomizeBinary } from "./artifacts.test-support.ts";
import { aliasBomb } from "../common/yaml-bounds.test-support.ts";
import { KustomizeError } from "./errors.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-plain-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const byId = (objects: KubeObject[]) =>
  [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

test("the in-process build of plain manifests equals kustomize's output", async (t) => {
  const files = {
    "app/cm.yaml": configMap("settings"),
    "app/deploy.yaml": deployment("web"),
    "app/nested/more.yaml": `${configMap("a")}---\n${configMap("b")}`,
    "app/explicit.yaml": configMap("elsewhere").replace("metadata:", "metadata:\n  namespace: other"),
    "app/role.yaml":
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
    "app/notes.yaml": "just: a value\n",
  };
  for (const targetNamespace of [undefined, "target"]) {
    const fast = await tree(files);
    const slow = await tree(files);
    t.after(() => Promise.all([rm(fast, { recursive: true }), rm(slow, { recursive: true })]));
    const settings = targetNamespace ? { targetNamespace } : {};
    const inProcess = await buildPlainDirectory(path.join(fast, "app"), settings);
    assert.ok(inProcess, "the fast path applies");
    await prepareKustomization(path.join(slow, "app"), settings);
    const built = await kustomizeBuild({
      binary: await kustomizeBinary(),
      root: slow,
      dir: path.join(slow, "app"),
    });
    assert.deepEqual(byId(inProcess), byId(built), `targetNamespace ${targetNamespace ?? "unset"}`);
  }
});

test("anything beyond plain manifests and a target namespace is left to kustomize", async (t) => {
  const cases: [Record<string, string>, Record<string, unknown>][] = [
    [{ "cm.yaml": configMap("a") }, { namePrefix: "p-" }],
    [{ "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n" }, { targetNamespace: "x" }],
    [{ "cm.yaml": configMap("a"), "kustomization.yaml": "resources: [cm.yaml]\n" }, {}],
    [
      { "rb.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\n" },
      { targetNamespace: "x" },
    ],
    [{ "cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n" }, {}],
    [{ "dup.yaml": `${configMap("a")}---\n${configMap("a")}` }, {}],
    [{ "bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n" }, {}],
  ];
  for (const [files, settings] of cases) {
    const dir = await tree(files);
    t.after(() => rm(dir, { recursive: true }));
    assert.equal(await buildPlainDirectory(dir, settings), undefined, JSON.stringify(Object.keys(files)));
  }
});

test("an alias bomb in a source fails the build fast with the limit it exceeds", async (t) => {
  const settingsCases: Record<string, unknown>[] = [{}, { namePrefix: "p-" }];
  for (const settings of settingsCases) {
    const dir = await tree({ "lol.yaml": aliasBomb(), "cm.yaml": configMap("a") });
    t.after(() => rm(dir, { recursive: true }));
    const started = performance.now();
    await assert.rejects(
      async () => {
        if ((await buildPlainDirectory(dir, settings)) === undefined)
          await prepareKustomization(dir, settings);
      },
      (error: unknown) => {
        assert.ok(error instanceof KustomizeError, String(error));
        assert.equal(error.reason, "BuildFailed");
        assert.match(error.message, /^file lol\.yaml expands more than the YAML alias limit of 1000/);
        return true;
      },
      JSON.stringify(settings),
    );
    assert.ok(performance.now() - started < 1000, "took a second or more");
  }
});
