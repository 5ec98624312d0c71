import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { kustomizeBuild, parseBuildOutput } from "./build.ts";
import { BuildError, UnsupportedKustomizationError } from "./errors.ts";
import { Semaphore } from "../common/semaphore.ts";
import { type ArtifactFiles, artifact, configMap, kustomizeBinary } from "./artifacts.test-support.ts";
import { createWorkspace } from "./workspace.ts";

let binary: string;
let scratch: string;

async function build(
  files: ArtifactFiles,
  options: {
    binary?: string;
    timeoutMs?: number;
    maxOutputBytes?: number;
    signal?: AbortSignal;
    limiter?: Semaphore;
  } = {},
) {
  const workspace = await createWorkspace(artifact(files));
  try {
    return await kustomizeBuild({ binary, root: workspace.root, dir: workspace.root, ...options });
  } finally {
    await workspace.dispose();
  }
}

async function fakeBinary(name: string, script: string): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}

describe("kustomizeBuild", () => {
  before(async () => {
    binary = await kustomizeBinary();
  });

  it("runs kustomize and returns its objects, reading YAML as Kubernetes does", async () => {
    const secretVolume = [
      "apiVersion: v1",
      "kind: Pod",
      "metadata: {name: p}",
      "spec:",
      "  containers: [{name: c, image: busybox}]",
      "  volumes: [{name: s, secret: {secretName: s, defaultMode: 0644}}]",
      "",
    ].join("\n");
    const objects = await build({
      "kustomization.yaml": "resources: [cm.yaml, pod.yaml]\n",
      "cm.yaml": configMap("cm", { enabled: "on" }),
      "pod.yaml": secretVolume,
    });
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ["ConfigMap/cm", "Pod/p"],
    );
    assert.deepEqual(objects[0]?.["data"], { enabled: "on" });
    const spec = objects[1]?.["spec"] as { volumes: Array<{ secret: { defaultMode: number } }> };
    assert.equal(spec.volumes[0]?.secret.defaultMode, 0o644);
  });

  it("reports kustomize's own message for a malformed manifest, with paths relative to the artifact", async () => {
    await assert.rejects(
      build({
        "kustomization.yaml": "resources: [apps/bad.yaml]\n",
        "apps/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n",
      }),
      (err) => {
        assert.ok(err instanceof BuildError);
        assert.equal(err.failure, "exit");
        assert.equal(err.reason, "BuildFailed");
        assert.match(
          err.message,
          /^kustomize build failed: accumulating resources: .*apps\/bad\.yaml.*MalformedYAMLError: yaml: line 4/,
        );
        assert.doesNotMatch(err.message, /sluice-kustomize-/);
        assert.ok(err.stderr.includes("MalformedYAMLError"));
        return true;
      },
    );
  });

  it("refuses remote resources before running kustomize", async () => {
    await assert.rejects(
      build(
        {
          "kustomization.yaml":
            "resources:\n- https://github.com/stefanprodan/podinfo//kustomize?ref=6.5.0\n",
        },
        { binary: "/nonexistent/kustomize" },
      ),
      (err) =>
        err instanceof UnsupportedKustomizationError &&
        err.message.startsWith(
          "kustomization.yaml: resources entry 'https://github.com/stefanprodan/podinfo//kustomize?ref=6.5.0' is remote",
        ),
    );
  });
});

describe("kustomizeBuild failures", () => {
  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), "sluice-build-test-"));
    binary = await kustomizeBinary();
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it("names a binary that cannot be started", async () => {
    await assert.rejects(
      build({ "kustomization.yaml": "resources: []\n" }, { binary: "/nonexistent/kustomize" }),
      {
        name: "BuildError",
        failure: "spawn",
        message: /^kustomize could not be started \(\/nonexistent\/kustomize\)/,
      },
    );
  });

  it("kills a build that runs too long, is aborted or writes too much", async () => {
    const files = { "kustomization.yaml": "resources: []\n" };
    const sleeper = await fakeBinary("sleeper", "sleep 30");
    await assert.rejects(build(files, { binary: sleeper, timeoutMs: 200 }), {
      failure: "timeout",
      message: "kustomize build timed out after 0.2s",
    });
    await assert.rejects(build(files, { binary: sleeper, signal: AbortSignal.timeout(200) }), {
      failure: "aborted",
    });
    const chatty = await fakeBinary("chatty", "yes apiVersion");
    await assert.rejects(build(files, { binary: chatty, maxOutputBytes: 1024 }), { failure: "output-limit" });
  });

  it("waits for a free slot and gives up when aborted meanwhile", async () => {
    const limiter = new Semaphore(1);
    const held = await limiter.acquire();
    try {
      await assert.rejects(
        build({ "kustomization.yaml": "resources: []\n" }, { limiter, signal: AbortSignal.timeout(100) }),
        { name: "TimeoutError" },
      );
    } finally {
      held();
    }
  });
});

describe("parseBuildOutput", () => {
  it("skips empty documents and refuses objects without apiVersion, kind or name", () => {
    assert.deepEqual(parseBuildOutput("---\n"), []);
    assert.throws(() => parseBuildOutput("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"), {
      name: "BuildError",
      failure: "invalid-output",
      message: /without apiVersion, kind and metadata.name: ConfigMap\/\?/,
    });
  });
});
