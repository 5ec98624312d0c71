import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { dockerImageResource } from "../src/ci/resources/registry-image/docker-image.ts";
import {
  dockerSaveTarball,
  imageIndex,
  ociTarball,
  writeIndexLayout,
} from "../src/ci/resources/registry-image/image-tarball.test-support.ts";
import { registryImageResource, type RootfsUnpacker } from "../src/ci/resources/registry-image/resource.ts";
import { ResourceError, type Version } from "../src/ci/resources/resource.ts";
import { sha256Digest } from "../src/oci/digest.ts";
import { generateImage, pushImage } from "../src/oci/image.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import { RegistryClient } from "../src/oci/registry-client.ts";
import { startTestRegistry } from "../src/oci/registry.test-support.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnv } from "./helpers/env.ts";
import { pushTestImage, testRegistryClient } from "./helpers/registry.ts";

const resource = registryImageResource();
const repoName = (prefix: string) => `regimg/${prefix}-${randomBytes(3).toString("hex")}`;

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function sourceFor(env: DevEnv, repository: string, extra: Record<string, unknown> = {}) {
  return {
    repository: `${env.registry}/${repository}`,
    username: env.registryUsername,
    password: env.registryPassword,
    ...extra,
  };
}

async function resourceError(promise: Promise<unknown>): Promise<ResourceError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ResourceError, `expected a ResourceError, got ${String(error)}`);
  return error;
}

test("check of a tag answers its digest; a re-push is a new version after the previous one", async () => {
  const env = await testEnv();
  const repository = repoName("tag");
  const first = await pushTestImage(env, repository, ["stable"], { "v.txt": "1\n" });
  const source = sourceFor(env, repository, { tag: "stable" });
  assert.deepEqual(await resource.check(source, undefined), [{ tag: "stable", digest: first.digest }]);
  assert.deepEqual(await resource.check(source, { tag: "stable", digest: first.digest }), [
    { tag: "stable", digest: first.digest },
  ]);
  const second = await pushTestImage(env, repository, ["stable"], { "v.txt": "2\n" });
  assert.notEqual(second.digest, first.digest);
  assert.deepEqual(await resource.check(source, { tag: "stable", digest: first.digest }), [
    { tag: "stable", digest: first.digest },
    { tag: "stable", digest: second.digest },
  ]);
});

test("without a tag, check answers semver tags in version order, then latest; a constraint and a regex filter", async () => {
  const env = await testEnv();
  const repository = repoName("semver");
  const digests: Record<string, string> = {};
  for (const tag of ["1.10.0", "1.2.0", "1.0.0", "2.0.0-rc.1", "latest", "nightly"]) {
    digests[tag] = (await pushTestImage(env, repository, [tag], { "tag.txt": tag })).digest;
  }
  // 1.2 names the same image as 1.2.0: one version, under the more specific tag
  await pushTestImage(env, repository, ["1.2"], { "tag.txt": "1.2.0" });
  const version = (tag: string): Version => ({ tag, digest: digests[tag] ?? "" });
  const all = await resource.check(sourceFor(env, repository), undefined);
  assert.deepEqual(all, ["1.0.0", "1.2.0", "1.10.0", "latest"].map(version));
  const since = await resource.check(sourceFor(env, repository), version("1.2.0"));
  assert.deepEqual(since, ["1.2.0", "1.10.0", "latest"].map(version));
  const constrained = await resource.check(
    sourceFor(env, repository, { semver_constraint: "~1.2 || ^2" }),
    undefined,
  );
  assert.deepEqual(constrained, [version("1.2.0")]);
  const regex = await resource.check(
    sourceFor(env, repository, { tag_regex: "^1\\.[0-9]+\\.0$" }),
    version("1.10.0"),
  );
  // the registry lists tags in lexical order, which the regex mode keeps
  assert.deepEqual(regex, ["1.10.0", "1.2.0"].map(version));
});

test("get writes repository, tag and digest, and the image as an OCI layout or image.tar, digests verified", async (t) => {
  const env = await testEnv();
  const repository = repoName("get");
  const image = generateImage({ files: { "etc/motd": "hello\n" } });
  const client = testRegistryClient(env);
  t.after(() => client.close());
  const { digest } = await pushImage(client, repository, ["v1"], image);
  const source = sourceFor(env, repository, { tag: "v1" });

  const layoutDest = await tempDir(t, "regimg-layout-");
  const result = await resource.get(source, { tag: "v1", digest }, { format: "oci-layout" }, layoutDest);
  assert.deepEqual(result.version, { tag: "v1", digest });
  assert.equal(await readFile(path.join(layoutDest, "digest"), "utf8"), digest);
  assert.equal(await readFile(path.join(layoutDest, "tag"), "utf8"), "v1");
  assert.equal(await readFile(path.join(layoutDest, "repository"), "utf8"), source.repository);
  const index = JSON.parse(await readFile(path.join(layoutDest, "oci", "index.json"), "utf8")) as {
    manifests: { digest: string }[];
  };
  assert.equal(index.manifests[0]?.digest, digest);
  for (const blob of [image.manifest, image.config, ...image.layers]) {
    const bytes = await readFile(path.join(layoutDest, "oci", "blobs", "sha256", blob.digest.slice(7)));
    assert.equal(sha256Digest(bytes), blob.digest);
  }
  assert.deepEqual((await readdir(layoutDest)).sort(), ["digest", "oci", "repository", "tag"]);

  const tarDest = await tempDir(t, "regimg-oci-");
  await resource.get(source, { tag: "v1", digest }, { format: "oci" }, tarDest);
  assert.deepEqual((await readdir(tarDest)).sort(), ["digest", "image.tar", "repository", "tag"]);
  // the tarball is what put reads back: pushing it elsewhere gives the same digest
  const copy = await resource.put(
    sourceFor(env, repoName("copy"), { tag: "copied" }),
    { image: "image.tar" },
    tarDest,
  );
  assert.deepEqual(copy.version, { tag: "copied", digest });

  const skipDest = await tempDir(t, "regimg-skip-");
  await resource.get(source, { tag: "v1", digest }, { skip_download: true }, skipDest);
  assert.deepEqual((await readdir(skipDest)).sort(), ["digest", "repository", "tag"]);
});

test("get rootfs goes through the unpacker and writes metadata.json; without one it says so", async (t) => {
  const env = await testEnv();
  const repository = repoName("rootfs");
  const { digest } = await pushTestImage(env, repository, ["v1"]);
  const source = sourceFor(env, repository, { tag: "v1" });
  const refused = await resourceError(
    resource.get(source, { tag: "v1", digest }, {}, await tempDir(t, "regimg-")),
  );
  assert.equal(refused.reason, "Failed");
  assert.match(refused.message, /rootfs needs the image unpacker/);

  const unpacked: string[][] = [];
  const unpacker: RootfsUnpacker = {
    async unpack(image, rootfsDir) {
      unpacked.push(image.layers.map((layer) => layer.descriptor.digest));
      await writeFile(path.join(rootfsDir, "unpacked"), "yes");
    },
  };
  const dest = await tempDir(t, "regimg-rootfs-");
  await registryImageResource({ unpacker }).get(source, { tag: "v1", digest }, { format: "rootfs" }, dest);
  assert.equal(unpacked.length, 1);
  assert.equal(await readFile(path.join(dest, "rootfs", "unpacked"), "utf8"), "yes");
  assert.deepEqual(JSON.parse(await readFile(path.join(dest, "metadata.json"), "utf8")), {
    env: [],
    user: "",
  });
});

test("put pushes a docker save tarball and an OCI tarball with additional tags and bump_aliases", async (t) => {
  const env = await testEnv();
  const repository = repoName("put");
  const inputs = await tempDir(t, "regimg-put-");
  await mkdir(path.join(inputs, "built"));
  await mkdir(path.join(inputs, "version"));
  const v1 = generateImage({ files: { "app.txt": "1.0.0\n" } });
  await writeFile(path.join(inputs, "built", "image.tar"), dockerSaveTarball(v1, "app:1.0.0"));
  await writeFile(path.join(inputs, "version", "number"), "1.0.0 extra\n");
  const source = sourceFor(env, repository);
  const first = await resource.put(
    source,
    {
      image: "built/*.tar",
      version: "1.0.0",
      bump_aliases: true,
      additional_tags: "version/number",
      tag_prefix: "build-",
    },
    inputs,
  );
  assert.equal(first.version["tag"], "1.0.0");
  assert.deepEqual(first.metadata.find((m) => m.name === "tags")?.value.split(" "), [
    "1.0.0",
    "latest",
    "1",
    "1.0",
    "build-1.0.0",
    "build-extra",
  ]);
  const client = testRegistryClient(env);
  t.after(() => client.close());
  for (const tag of ["1.0.0", "latest", "1", "1.0", "build-extra"]) {
    assert.equal((await client.headManifest(repository, tag)).digest, first.version["digest"], tag);
  }

  const v09 = generateImage({ files: { "app.txt": "0.9.1\n" } });
  await writeFile(path.join(inputs, "built", "image.tar"), ociTarball(v09));
  const older = await resource.put(
    source,
    { image: "built/image.tar", version: "v0.9.1", bump_aliases: true },
    inputs,
  );
  assert.equal(older.version["digest"], v09.manifest.digest);
  assert.equal((await client.headManifest(repository, "0.9")).digest, v09.manifest.digest);
  // an older version moves none of the newer aliases
  assert.equal((await client.headManifest(repository, "latest")).digest, first.version["digest"]);
  assert.deepEqual(older.metadata.find((m) => m.name === "tags")?.value, "0.9.1 0 0.9");

  const checked = await resource.check(source, undefined);
  assert.deepEqual(checked, [
    { tag: "0.9.1", digest: v09.manifest.digest },
    { tag: "1.0.0", digest: first.version["digest"] },
  ]);
});

test("a multi-platform image: check answers the index digest, get picks the platform, put pushes an index layout", async (t) => {
  const env = await testEnv();
  const repository = repoName("multi");
  const amd64 = generateImage({ files: { "arch.txt": "amd64\n" } });
  const arm64 = generateImage({ files: { "arch.txt": "arm64\n" } });
  const index = imageIndex([
    { image: amd64, architecture: "amd64" },
    { image: arm64, architecture: "arm64" },
  ]);
  const inputs = await tempDir(t, "regimg-multi-");
  await writeIndexLayout(path.join(inputs, "layout"), index, [amd64, arm64]);
  const source = sourceFor(env, repository, { tag: "multi" });
  const pushed = await resource.put(source, { image: "lay*" }, inputs);
  assert.deepEqual(pushed.version, { tag: "multi", digest: index.digest });
  assert.deepEqual(await resource.check(source, undefined), [{ tag: "multi", digest: index.digest }]);

  const dest = await tempDir(t, "regimg-arm64-");
  const version = { tag: "multi", digest: index.digest };
  await resource.get(
    { ...source, platform: { architecture: "arm64" } },
    version,
    { format: "oci-layout" },
    dest,
  );
  assert.equal(await readFile(path.join(dest, "digest"), "utf8"), index.digest);
  const layout = JSON.parse(await readFile(path.join(dest, "oci", "index.json"), "utf8")) as {
    manifests: { digest: string }[];
  };
  assert.equal(layout.manifests[0]?.digest, arm64.manifest.digest);
  const missing = await resourceError(
    resource.get(
      { ...source, platform: { architecture: "s390x" } },
      version,
      { format: "oci" },
      await tempDir(t, "x-"),
    ),
  );
  assert.equal(missing.reason, "NotFound");
  assert.match(missing.message, /no image for linux\/s390x \(it has linux\/amd64, linux\/arm64\)/);
});

test("registry_mirror is read first for Docker Hub images, and the origin when the mirror fails", async (t) => {
  const registry = await startTestRegistry();
  t.after(() => registry.stop());
  const client = new RegistryClient({ host: registry.host });
  t.after(() => client.close());
  const { digest } = await pushImage(
    client,
    "library/busybox",
    ["1.36"],
    generateImage({ files: { b: "b" } }),
  );
  const viaMirror = { repository: "busybox", tag: "1.36", registry_mirror: { host: registry.host } };
  assert.deepEqual(await resource.check(viaMirror, undefined), [{ tag: "1.36", digest }]);
  // the mirror lacks the tag and Docker Hub is unreachable from here: the origin's failure is reported
  const failed = await resourceError(resource.check({ ...viaMirror, tag: "absent" }, undefined));
  assert.match(failed.message, /docker\.io/);
});

test("put refuses an image glob that matches nothing or too much, and an unreadable tarball", async (t) => {
  const env = await testEnv();
  const inputs = await tempDir(t, "regimg-bad-put-");
  await writeFile(path.join(inputs, "a.tar"), "not a tarball");
  await writeFile(path.join(inputs, "b.tar"), "not a tarball");
  const source = sourceFor(env, repoName("bad"), { tag: "x" });
  const none = await resourceError(resource.put(source, { image: "missing/*.tar" }, inputs));
  assert.match(none.message, /matches nothing/);
  const many = await resourceError(resource.put(source, { image: "*.tar" }, inputs));
  assert.match(many.message, /matches 2 paths/);
  const outside = await resourceError(resource.put(source, { image: "../*.tar" }, inputs));
  assert.match(outside.message, /outside the build's inputs/);
  // a layout whose blobs directory links out of it: nothing outside is read
  const outsideDir = await tempDir(t, "regimg-outside-");
  const image = generateImage({ files: { "x.txt": "x" } });
  const layout = path.join(inputs, "layout");
  await writeIndexLayout(layout, imageIndex([{ image, architecture: "amd64" }]), [image]);
  await rename(path.join(layout, "blobs"), path.join(outsideDir, "blobs"));
  await symlink(path.join(outsideDir, "blobs"), path.join(layout, "blobs"));
  const escaped = await resourceError(resource.put(source, { image: "layout" }, inputs));
  assert.match(escaped.message, /leads outside the image/);
  const garbage = await resourceError(resource.put(source, { image: "a.tar" }, inputs));
  assert.equal(garbage.reason, "InvalidConfig");
  assert.match(garbage.message, /not a readable tarball/);
});

test("wrong credentials are AuthenticationFailed without the password; a missing tag is NotFound", async (t) => {
  const credentials = { username: "ci", password: `secret-${randomBytes(6).toString("hex")}` };
  const registry = await startTestRegistry({ auth: credentials });
  t.after(() => registry.stop());
  const client = new RegistryClient({ host: registry.host, credentials });
  t.after(() => client.close());
  const { digest } = await pushImage(client, "team/app", ["v1"], generateImage({ files: { "a.txt": "a" } }));
  const source = { repository: `${registry.host}/team/app`, tag: "v1", ...credentials };
  assert.deepEqual(await resource.check(source, undefined), [{ tag: "v1", digest }]);
  const wrongPassword = `wrong-${randomBytes(6).toString("hex")}`;
  const denied = await resourceError(resource.check({ ...source, password: wrongPassword }, undefined));
  assert.equal(denied.reason, "AuthenticationFailed");
  assert.ok(!denied.message.includes(wrongPassword), denied.message);
  const anonymous = await resourceError(resource.check({ repository: source.repository }, undefined));
  assert.equal(anonymous.reason, "AuthenticationFailed");
  assert.match(anonymous.message, /requires credentials/);
  const missing = await resourceError(resource.check({ ...source, tag: "nope" }, undefined));
  assert.equal(missing.reason, "NotFound");
  assert.match(missing.message, /nope/);
  const gone = await resourceError(
    resource.get(
      source,
      { tag: "v1", digest: `sha256:${"0".repeat(64)}` },
      { format: "oci" },
      await tempDir(t, "regimg-gone-"),
    ),
  );
  assert.equal(gone.reason, "NotFound");
});

test("the engine's mirrors serve reads of the images they mirror; docker-image answers {digest}", async (t) => {
  const registry = await startTestRegistry();
  t.after(() => registry.stop());
  const client = new RegistryClient({ host: registry.host });
  t.after(() => client.close());
  const image = generateImage({ files: { "mirrored.txt": "from the mirror\n" } });
  const { digest } = await pushImage(client, "mirror/docker.io/library/golang", ["1.22"], image);
  const mirrors = RegistryMirrors.parse([`docker.io=${registry.host}/mirror/docker.io`]);
  const mirrored = registryImageResource({ mirrors });
  assert.deepEqual(await mirrored.check({ repository: "golang", tag: "1.22" }, undefined), [
    { tag: "1.22", digest },
  ]);
  const dest = await tempDir(t, "regimg-mirror-");
  await mirrored.get({ repository: "golang" }, { tag: "1.22", digest }, { format: "oci-layout" }, dest);
  assert.equal(await readFile(path.join(dest, "repository"), "utf8"), "golang");
  const docker = dockerImageResource({ mirrors });
  assert.deepEqual(await docker.check({ repository: "golang", tag: "1.22" }, undefined), [{ digest }]);
  const saved = await tempDir(t, "regimg-docker-save-");
  const got = await docker.get({ repository: "golang", tag: "1.22" }, { digest }, { save: true }, saved);
  assert.deepEqual(got.version, { digest });
  assert.deepEqual((await readdir(saved)).sort(), ["digest", "image", "repository", "tag"]);
  const refused = await resourceError(docker.put({ repository: "golang" }, { build: "src" }, dest));
  assert.match(refused.message, /image builder/);
});
