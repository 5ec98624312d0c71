import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { PathEscapeError, UnsupportedKustomizationError } from "./errors.ts";
import { assertLocalOnly, isRemoteUrl } from "./references.ts";
import { type ArtifactFiles, artifact, configMap } from "./artifacts.test-support.ts";
import { createWorkspace } from "./workspace.ts";

async function check(files: ArtifactFiles, dir = "app"): Promise<void> {
  const workspace = await createWorkspace(artifact(files));
  try {
    await assertLocalOnly(workspace.root, path.join(workspace.root, dir));
  } finally {
    await workspace.dispose();
  }
}

describe("assertLocalOnly", () => {
  it("accepts local resources, bases and components inside the artifact", async () => {
    await check({
      "app/kustomization.yaml": "resources: [../base, cm.yaml, missing.yaml]\ncomponents: [../comp]\n",
      "app/cm.yaml": configMap("cm"),
      "base/kustomization.yaml": "resources: [../shared]\n",
      "shared/kustomization.yaml": "resources: []\n",
      "comp/kustomization.yaml": "kind: Component\n",
    });
  });

  it("refuses remote resources anywhere in the reachable tree, naming file and entry", async () => {
    for (const entry of [
      "https://github.com/org/repo//deploy?ref=v1",
      "github.com/org/repo/deploy?ref=v1",
      "git@github.com:org/repo.git",
      "git::https://example.com/repo",
      "ssh://git@example.com/repo",
      "file:///etc",
    ]) {
      await assert.rejects(
        check({
          "app/kustomization.yaml": "resources: [../base]\n",
          "base/kustomization.yaml": `resources:\n- ${JSON.stringify(entry)}\n`,
        }),
        (err) =>
          err instanceof UnsupportedKustomizationError &&
          err.message.startsWith(`base/kustomization.yaml: resources entry '${entry}' is remote`),
        entry,
      );
    }
  });

  it("refuses URLs in file fields and helmCharts", async () => {
    await assert.rejects(
      check({ "app/kustomization.yaml": "patches:\n- path: https://example.com/patch.yaml\n" }),
      /patches entry 'https:\/\/example.com\/patch.yaml' is remote/,
    );
    await assert.rejects(
      check({
        "app/kustomization.yaml": "configMapGenerator:\n- name: x\n  files: [k=https://example.com/f]\n",
      }),
      /configMapGenerator entry 'https:\/\/example.com\/f' is remote/,
    );
    await assert.rejects(
      check({
        "app/kustomization.yaml":
          "helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n",
      }),
      (err) =>
        err instanceof UnsupportedKustomizationError && err.message.includes("'helmCharts' is not supported"),
    );
  });

  it("refuses references leading outside the artifact", async () => {
    await assert.rejects(
      check({ "app/kustomization.yaml": "resources: [../../../../etc]\n" }),
      (err) =>
        err instanceof PathEscapeError &&
        err.message.includes("resources entry '../../../../etc' points outside"),
    );
    await assert.rejects(check({ "app/kustomization.yaml": "bases: [/etc]\n" }), PathEscapeError);
  });

  it("refuses a referenced directory that is a symlink leading outside", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "sluice-refs-test-"));
    try {
      await mkdir(path.join(root, "app"));
      await writeFile(path.join(root, "app/kustomization.yaml"), "resources: [outside]\n");
      await symlink("/etc", path.join(root, "app/outside"));
      await assert.rejects(
        assertLocalOnly(root, path.join(root, "app")),
        /leads outside the source artifact through a symlink/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("isRemoteUrl", () => {
  it("recognises URLs and git shorthands but not local paths", () => {
    assert.ok(isRemoteUrl("https://x/y"));
    assert.ok(isRemoteUrl("gh:org/repo"));
    assert.ok(isRemoteUrl("git@host:org/repo"));
    assert.ok(!isRemoteUrl("./a.yaml"));
    assert.ok(!isRemoteUrl("../base"));
    assert.ok(!isRemoteUrl("dir.d/x.yaml"));
  });
});
