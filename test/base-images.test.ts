import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ensureBaseImage, recipeKey } from "../src/dev/base-images/build.ts";
import { allRecipes, ensureBaseImages, type BaseImage } from "../src/dev/base-images/index.ts";
import { pushBaseImages } from "../src/dev/base-images/push.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { sha256Digest } from "../src/oci/digest.ts";
import { generateImage, pushImage } from "../src/oci/image.ts";
import { ImageConfig, ImageManifest } from "../src/oci/manifest.ts";
import { inheritedEnv, runProcess } from "../src/process/run.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { testEnv } from "./helpers/env.ts";
import { testRegistryClient } from "./helpers/registry.ts";

/** A blob or manifest straight from the registry's API, checked against its digest. */
async function registryGet(env: DevEnv, repository: string, kind: "blobs" | "manifests", digest: string) {
  const headers: Record<string, string> = { accept: "application/vnd.oci.image.manifest.v1+json" };
  if (env.registryUsername && env.registryPassword)
    headers["authorization"] =
      `Basic ${Buffer.from(`${env.registryUsername}:${env.registryPassword}`).toString("base64")}`;
  const response = await fetch(`http://${env.registry}/v2/${repository}/${kind}/${digest}`, { headers });
  assert.equal(response.status, 200, `GET ${repository}/${kind}/${digest}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(sha256Digest(bytes), digest);
  return bytes;
}

const byName = (images: BaseImage[], name: string): BaseImage => {
  const image = images.find((i) => i.recipe.name === name);
  assert.ok(image, `no base image ${name}`);
  return image;
};

/** Every tag of every mirror names the image; its config (Env, Cmd, labels) and layer are served. */
async function assertMirrorsResolve(): Promise<void> {
  const { env } = await testEnvWithImages();
  const images = await ensureBaseImages();
  const client = testRegistryClient(env);
  try {
    for (const image of images) {
      const config = ImageConfig.parse(
        JSON.parse(
          (await registryGet(env, mirrorRepo(env, image), "blobs", image.layout.config.digest)).toString(),
        ),
      );
      assert.deepEqual(
        config.config?.["Env"],
        Object.entries(image.recipe.env).map(([k, v]) => `${k}=${v}`),
      );
      assert.deepEqual(config.config?.["Cmd"], image.recipe.cmd);
      assert.equal(config.architecture, "amd64");
      assert.equal(config.os, "linux");
      const labels = config.config?.["Labels"] as Record<string, string>;
      for (const name of image.recipe.packages)
        assert.match(labels["dev.sluice.base-image.packages"] ?? "", new RegExp(`(^| )${name}=\\S+`));
      for (const [name, tags] of Object.entries(image.recipe.mirrors)) {
        const repository = `${repositoryPrefix(env)}/${name}`;
        for (const tag of tags) {
          const head = await client.headManifest(repository, tag);
          assert.equal(head.digest, image.layout.manifest.digest, `${repository}:${tag}`);
        }
        const manifest = ImageManifest.parse(
          JSON.parse(
            (await registryGet(env, repository, "manifests", image.layout.manifest.digest)).toString(),
          ),
        );
        assert.deepEqual(
          manifest.layers.map((l) => l.digest),
          image.layout.layers.map((l) => l.digest),
        );
        for (const layer of manifest.layers) assert.ok(await client.blobExists(repository, layer.digest));
      }
    }
  } finally {
    await client.close();
  }
  assert.equal(env.imageMirror, `${env.registry}/mirror`);
}

describe("offline base images in the environment's registry", () => {
  const work = mkdtemp(path.join(tmpdir(), "base-images-"));
  after(async () => rm(await work, { recursive: true, force: true }));

  it(
    "resolves every mirror name to its image: the manifest, the config's Env and Cmd, the layer blob",
    assertMirrorsResolve,
  );

  it("serves layers that hold /usr/bin/git, go and busybox, and they run there", async () => {
    const { env } = await testEnvWithImages();
    const images = await ensureBaseImages();
    for (const [name, file, command, output] of [
      ["git", "./usr/bin/git", ["git", "--version"], /^git version 2\.39\./],
      [
        "golang",
        "./usr/lib/go-1.19/bin/go",
        ["go", "env", "GOVERSION", "CGO_ENABLED", "GOPATH"],
        /^go1\.19\.\d+\n0\n\/go$/,
      ],
      [
        "busybox",
        "./usr/bin/busybox",
        ["sh", "-c", "echo $PATH; ls /bin/wget"],
        /^\/usr\/local\/sbin:.*\n\/bin\/wget$/,
      ],
    ] as const) {
      const image = byName(images, name);
      const layer = await registryGet(env, mirrorRepo(env, image), "blobs", image.layout.layers[0]!.digest);
      const root = path.join(await work, name);
      await mkdir(root);
      const entries = await run("tar", ["-xzvf", "-", "-C", root], layer);
      assert.ok(entries.split("\n").includes(file), `${name}'s layer has no ${file}`);
      assert.match((await inImage(root, image, command)).trim(), output, `${command.join(" ")} in ${name}`);
    }
  });

  it("pushes again without uploading anything; a tag moved elsewhere is put back, without a blob", async () => {
    const env = await testEnv();
    const busybox = byName(await ensureBaseImages(), "busybox");
    const prefix = `test-mirror-${randomBytes(3).toString("hex")}`;
    const client = testRegistryClient(env);
    try {
      const first = await pushBaseImages(client, [busybox], { prefix });
      const tags = busybox.recipe.mirrors["docker.io/library/busybox"]!;
      assert.deepEqual(first, {
        references: tags.map((t) => `${prefix}/docker.io/library/busybox:${t}`),
        blobsUploaded: 2,
        manifestsPushed: tags.length,
      });
      const again = await pushBaseImages(client, [busybox], { prefix });
      assert.deepEqual(
        { ...again, references: [] },
        { references: [], blobsUploaded: 0, manifestsPushed: 0 },
      );

      await pushImage(
        client,
        `${prefix}/docker.io/library/busybox`,
        ["1.36"],
        generateImage({ files: { a: "b" } }),
      );
      const repaired = await pushBaseImages(client, [busybox], { prefix });
      assert.equal(repaired.manifestsPushed, 1);
      assert.equal(repaired.blobsUploaded, 0);
      const head = await client.headManifest(`${prefix}/docker.io/library/busybox`, "1.36");
      assert.equal(head.digest, busybox.layout.manifest.digest);
    } finally {
      await client.close();
    }
  });

  it("the shared environment's second push finds every tag in place", async () => {
    await testEnvWithImages();
    const { pushed } = await testEnvWithImages();
    assert.equal(pushed.blobsUploaded, 0);
    assert.equal(pushed.manifestsPushed, 0);
    assert.ok(pushed.references.includes("mirror/docker.io/library/golang:1.19"));
    assert.ok(pushed.references.includes("mirror/docker.io/alpine/git:latest"));
  });
});

describe("the base image cache", () => {
  const work = mkdtemp(path.join(tmpdir(), "base-image-cache-"));
  after(async () => rm(await work, { recursive: true, force: true }));

  it("builds once per recipe key, and a changed recipe is rebuilt into a new directory that replaces the old", async () => {
    const root = path.join(await work, "images");
    await mkdir(root);
    const busybox = (await allRecipes()).find((r) => r.name === "busybox")!;
    const built = await ensureBaseImage(busybox, { root });
    assert.equal(built.cached, false);
    assert.equal(built.build.packages["busybox-static"]?.startsWith("1:1.35"), true);
    const again = await ensureBaseImage(busybox, { root });
    assert.equal(again.cached, true);
    assert.equal(again.layout.manifest.digest, built.layout.manifest.digest);

    const changed = { ...busybox, env: { ...busybox.env, EXTRA: "1" } };
    assert.notEqual(await recipeKey(changed), built.key);
    const rebuilt = await ensureBaseImage(changed, { root });
    assert.equal(rebuilt.cached, false);
    assert.notEqual(rebuilt.dir, built.dir);
    assert.deepEqual(await readdir(root), [path.basename(rebuilt.dir)]);
    assert.equal(
      rebuilt.layout.layers[0]!.digest,
      built.layout.layers[0]!.digest,
      "the same root, byte for byte",
    );
  });

  it("names a damaged cache directory and how to repair it", async () => {
    const root = path.join(await work, "damaged");
    const busybox = (await allRecipes()).find((r) => r.name === "busybox")!;
    const dir = path.join(root, `busybox-${await recipeKey(busybox)}`);
    await mkdir(dir, { recursive: true });
    await assert.rejects(ensureBaseImage(busybox, { root }), (error: Error & { hint?: string }) => {
      assert.match(error.message, new RegExp(`the cached base image in ${dir} is damaged`));
      assert.match(error.hint ?? "", /delete .* and run 'scripts\/build-images.sh' again/);
      return true;
    });
  });
});

async function run(file: string, args: readonly string[], input?: Buffer): Promise<string> {
  const options = { env: inheritedEnv(), timeoutMs: 120_000, maxOutputBytes: 256 * 1024 * 1024 };
  return (await runProcess(file, args, input ? { ...options, input } : options)).stdout;
}

/** Runs a command in an unpacked image root with bubblewrap, with the image's environment. */
async function inImage(root: string, image: BaseImage, command: readonly string[]): Promise<string> {
  const env = Object.entries(image.recipe.env).flatMap(([name, value]) => ["--setenv", name, value]);
  const sandbox = ["--ro-bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"];
  return run("bwrap", [...sandbox, "--unshare-pid", "--clearenv", ...env, ...command]);
}

function repositoryPrefix(env: DevEnv & { imageMirror: string }): string {
  return env.imageMirror.slice(env.registry.length + 1);
}

function mirrorRepo(env: DevEnv & { imageMirror: string }, image: BaseImage): string {
  return `${repositoryPrefix(env)}/${Object.keys(image.recipe.mirrors)[0]}`;
}
