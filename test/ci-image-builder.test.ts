import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { createImageBuilder, ImageBuildError, type ImageBuilder } from "../src/ci/builder/index.ts";
import { ImageConfig, ImageManifest } from "../src/oci/manifest.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { testRegistryClient } from "./helpers/registry.ts";

let env: DevEnv & { imageMirror: string };
let builder: ImageBuilder;
let stateDir: string;

before(async () => {
  env = (await testEnvWithImages()).env;
  stateDir = await mkdtemp(path.join(os.tmpdir(), "builder-state-"));
  builder = await createImageBuilder({
    stateDir,
    mirrors: RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]),
  });
});
after(async () => {
  await builder.close();
  await rm(stateDir, { recursive: true, force: true });
});

const auth = () =>
  new Map([[env.registry, { username: env.registryUsername!, password: env.registryPassword! }]]);
const repoName = (prefix: string) => `builder/${prefix}-${randomBytes(3).toString("hex")}`;

async function context(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "build-context-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** The manifest digest and config of a pushed image. */
async function pushedImage(t: TestContext, repository: string, reference: string) {
  const client = testRegistryClient(env);
  t.after(() => client.close());
  const fetched = await client.getManifest(repository, reference);
  const manifest = ImageManifest.parse(JSON.parse(fetched.bytes.toString("utf8")));
  const dir = await mkdtemp(path.join(os.tmpdir(), "image-config-"));
  try {
    await client.fetchBlob(repository, manifest.config, path.join(dir, "config"));
    const config = ImageConfig.parse(JSON.parse(await readFile(path.join(dir, "config"), "utf8")));
    return { digest: fetched.digest, manifest, config };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function buildError(promise: Promise<unknown>): Promise<ImageBuildError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ImageBuildError, `expected an ImageBuildError, got ${String(error)}`);
  return error;
}

test("a busybox image with a build arg and a label is pushed under every tag, FROM through the mirror", async (t) => {
  const dir = await context(t, {
    Dockerfile: [
      "ARG BASE=busybox:1.36",
      "FROM ${BASE}",
      "ARG GREETING",
      'RUN echo "$GREETING" > /greeting',
      "COPY app.txt /app.txt",
      'CMD ["cat", "/greeting"]',
    ].join("\n"),
    "app.txt": "hello\n",
  });
  const repository = `${env.registry}/${repoName("busybox")}`;
  const lines: string[] = [];
  const result = await builder.build({
    contextDir: dir,
    buildArgs: { GREETING: "hi, there" },
    labels: { "org.example.team": "ci" },
    outputs: [{ kind: "push", refs: [`${repository}:1.0.0`, `${repository}:latest`] }],
    registryAuth: auth(),
    log: (line) => lines.push(line),
  });
  assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(
    lines.some((line) => line.includes("RUN echo")),
    "the build's progress reached the log",
  );

  const name = repository.slice(env.registry.length + 1);
  for (const tag of ["1.0.0", "latest"]) {
    assert.equal((await pushedImage(t, name, tag)).digest, result.digest, `${tag} names the built manifest`);
  }
  const { config } = await pushedImage(t, name, result.digest);
  const labels = config.config?.["Labels"] as Record<string, string>;
  assert.equal(labels["org.example.team"], "ci");
  assert.equal(labels["org.opencontainers.image.title"], "busybox", "FROM busybox came from the mirror");
  assert.deepEqual(config.config?.["Cmd"], ["cat", "/greeting"]);
});
