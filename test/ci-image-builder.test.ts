import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { createImageBuilder, ImageBuildError, type ImageBuilder } from "../src/ci/builder/index.ts";
import { runOciBuildTask } from "../src/ci/builder/oci-build-task.ts";
import { builderRootfsUnpacker } from "../src/ci/builder/rootfs-unpacker.ts";
import { registryImageResource } from "../src/ci/resources/registry-image/resource.ts";
import { dockerImageResource } from "../src/ci/resources/registry-image/docker-image.ts";
import { RegistryClient } from "../src/oci/registry-client.ts";
import { startTestRegistry } from "../src/oci/registry.test-support.ts";
import { runProcess } from "../src/process/run.ts";
import { ImageConfig, ImageManifest } from "../src/oci/manifest.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { show, sluice } from "./helpers/cli.ts";
import { goAppFiles } from "./helpers/go-app.ts";
import { testRegistryClient } from "./helpers/registry.ts";

let env: DevEnv & { imageMirror: string };
let builder: ImageBuilder;
let stateDir: string;

before(async () => {
  env = (await testEnvWithImages()).env;
  stateDir = await mkdtemp(path.join(os.tmpdir(), "builder-state-"));
  builder = createImageBuilder({
    stateDir,
    mirrors: RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]),
  });
});
after(async () => {
  await builder.close();
  await rm(stateDir, { recursive: true, force: true });
});

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
    log: (line) => lines.push(line),
  });
  const digest = result.digest ?? "";
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(
    lines.some((line) => line.includes("RUN echo")),
    "the build's progress reached the log",
  );

  const name = repository.slice(env.registry.length + 1);
  for (const tag of ["1.0.0", "latest"]) {
    assert.equal((await pushedImage(t, name, tag)).digest, digest, `${tag} names the built manifest`);
  }
  const { config } = await pushedImage(t, name, digest);
  const labels = config.config?.["Labels"] as Record<string, string>;
  assert.equal(labels["org.example.team"], "ci");
  assert.equal(labels["org.opencontainers.image.title"], "busybox", "FROM busybox came from the mirror");
  assert.deepEqual(config.config?.["Cmd"], ["cat", "/greeting"]);
});

async function taskDirs(t: TestContext, files: Record<string, string>) {
  const source = await context(t, files);
  const image = await mkdtemp(path.join(os.tmpdir(), "task-image-"));
  const cache = await mkdtemp(path.join(os.tmpdir(), "task-cache-"));
  t.after(() => Promise.all([image, cache].map((dir) => rm(dir, { recursive: true, force: true }))));
  const mounts = [
    { path: "source-code", dir: source },
    { path: "image", dir: image },
    { path: "cache", dir: cache },
  ];
  return { source, image, cache, mounts };
}

const tarEntries = async (file: string): Promise<string[]> =>
  (await runProcess("tar", ["-tf", file], { env: { PATH: "/usr/bin:/bin" }, timeoutMs: 30_000 })).stdout
    .split("\n")
    .filter(Boolean);

test("oci-build-task: CONTEXT, DOCKERFILE, BUILD_ARG_*, BUILD_ARGS_FILE, TARGET_FILE, LABEL_* and UNPACK_ROOTFS", async (t) => {
  const dirs = await taskDirs(t, {
    "app/build.Dockerfile": [
      "FROM busybox AS base",
      "ARG FLAVOUR",
      "ARG FROM_FILE",
      'RUN echo "$FLAVOUR/$FROM_FILE" > /flavour',
      "FROM base AS final",
      "ENV MODE=production",
      "COPY message.txt /message.txt",
      "USER 1000:1000",
      "FROM base AS unused",
      "RUN exit 1",
    ].join("\n"),
    "app/message.txt": "built by oci-build-task\n",
    "build-args": "# a comment\nFROM_FILE=yes\n\n",
    target: "final\n",
  });
  const lines: string[] = [];
  const result = await runOciBuildTask({
    params: {
      CONTEXT: "source-code/app",
      DOCKERFILE: "source-code/app/build.Dockerfile",
      BUILD_ARG_FLAVOUR: "vanilla",
      BUILD_ARGS_FILE: "source-code/build-args",
      TARGET_FILE: "source-code/target",
      LABEL_org_example_team: "ci",
      UNPACK_ROOTFS: "true",
    },
    mounts: dirs.mounts,
    builder,
    log: (line) => lines.push(line),
  });
  assert.equal(await readFile(path.join(dirs.image, "digest"), "utf8"), result.configDigest);
  const entries = await tarEntries(path.join(dirs.image, "image.tar"));
  assert.ok(entries.includes("manifest.json"), `a docker-format tarball: ${entries.join(", ")}`);
  const rootfs = path.join(dirs.image, "rootfs");
  assert.equal(await readFile(path.join(rootfs, "flavour"), "utf8"), "vanilla/yes\n");
  assert.equal(await readFile(path.join(rootfs, "message.txt"), "utf8"), "built by oci-build-task\n");
  assert.ok((await stat(path.join(rootfs, "bin/busybox"))).isFile());
  const metadata = JSON.parse(await readFile(path.join(dirs.image, "metadata.json"), "utf8")) as {
    env: string[];
    user: string;
  };
  assert.ok(metadata.env.includes("MODE=production"), metadata.env.join(" "));
  assert.equal(metadata.user, "1000:1000");
  assert.ok(!lines.some((line) => line.includes("exit 1")), "the unused stage was not built");
  assert.ok((await stat(path.join(dirs.cache, "index.json"))).isFile(), "the layer cache was exported");
});

test("oci-build-task: OUTPUT_OCI writes an OCI layout; a rebuild with the cache reuses every layer", async (t) => {
  const dirs = await taskDirs(t, {
    Dockerfile: "FROM busybox\nRUN echo expensive > /step\nCOPY . /src\n",
    "a.txt": "a\n",
  });
  const run = (log: (line: string) => void) =>
    runOciBuildTask({
      params: { CONTEXT: "source-code", OUTPUT_OCI: "true", TARGET: "" },
      mounts: dirs.mounts,
      builder,
      log,
    });
  const first = await run(() => {});
  const index = JSON.parse(await readFile(path.join(dirs.image, "image/index.json"), "utf8")) as {
    manifests: { digest: string }[];
  };
  assert.equal(index.manifests[0]?.digest, first.digest);
  const again: string[] = [];
  const second = await run((line) => again.push(line));
  assert.equal(second.digest, first.digest, "the same inputs build the same image");
  assert.ok(
    again.some((line) => /CACHED/.test(line)),
    `cache hits in the log:\n${again.join("\n")}`,
  );
});

test("oci-build-task: an IMAGE_ARG_ or a path outside the task is refused before building", async (t) => {
  const dirs = await taskDirs(t, { Dockerfile: "FROM busybox\n" });
  const refuse = (params: Record<string, string>) =>
    runOciBuildTask({ params, mounts: dirs.mounts, builder });
  assert.match((await buildError(refuse({ IMAGE_ARG_base: "base/image.tar" }))).message, /IMAGE_ARG_base/);
  await assert.rejects(refuse({ CONTEXT: "../outside" }), /outside the task's working directory/);
  await assert.rejects(refuse({ CONTEXT: "elsewhere" }), /not in any of the task's inputs/);
});

test("a Dockerfile syntax error fails with its line; a failing RUN fails with its output in the log", async (t) => {
  const syntax = await context(t, { Dockerfile: "FROM busybox\nRUN true\nFORM busybox\n" });
  const error = await buildError(builder.build({ contextDir: syntax, outputs: [] }));
  assert.match(error.message, /line 3|Dockerfile:3/);
  assert.match(error.message, /FORM/i);

  const failing = await context(t, {
    Dockerfile: 'FROM busybox\nRUN echo "about to fail: marker-42" && exit 3\n',
  });
  const lines: string[] = [];
  const runError = await buildError(
    builder.build({ contextDir: failing, outputs: [], log: (l) => lines.push(l) }),
  );
  assert.ok(
    lines.some((line) => line.includes("about to fail: marker-42")),
    "the RUN's output reached the log",
  );
  assert.match(runError.message, /exit code: 3|did not complete successfully/);
});

test("a missing base image, a symlink leading out of the context and a missing Dockerfile are clear errors", async (t) => {
  const missing = await context(t, { Dockerfile: `FROM ${env.registry}/builder/does-not-exist:1\n` });
  assert.match(
    (await buildError(builder.build({ contextDir: missing, outputs: [] }))).message,
    /does-not-exist/,
  );

  const escaping = await context(t, { Dockerfile: "FROM busybox\nCOPY . /\n" });
  await symlink("../../../etc/passwd", path.join(escaping, "passwd"));
  const escape = await buildError(builder.build({ contextDir: escaping, outputs: [] }));
  assert.match(escape.message, /symlink leading outside it: passwd -> \.\.\/\.\.\/\.\.\/etc\/passwd/);

  const empty = await context(t, { "README.md": "no Dockerfile here\n" });
  assert.match(
    (await buildError(builder.build({ contextDir: empty, outputs: [] }))).message,
    /Dockerfile .* does not exist/,
  );
});

test("a push the registry refuses fails the build and tags nothing", async (t) => {
  const credentials = { username: "ci", password: "right-password" };
  const registry = await startTestRegistry({ auth: credentials });
  t.after(() => registry.stop());
  const dir = await context(t, { Dockerfile: "FROM busybox\nRUN echo refused > /x\n" });
  const ref = `${registry.host}/builder/refused:1.0.0`;
  const error = await buildError(
    builder.build({
      contextDir: dir,
      outputs: [{ kind: "push", refs: [ref] }],
      registryAuth: new Map([[registry.host, { ...credentials, password: "wrong" }]]),
    }),
  );
  assert.match(error.message, /401|unauthorized|authorization/i);
  assert.doesNotMatch(error.message, /wrong/, "the password is not in the message");
  const client = new RegistryClient({ host: registry.host, credentials });
  t.after(() => client.close());
  await assert.rejects(client.listTags("builder/refused"), /NAME_UNKNOWN|not found|unknown/i);
});

test("docker-image put builds the build directory and pushes tag_file's tag, latest and the additional tags", async (t) => {
  const inputs = await context(t, {
    "source/app/Dockerfile": 'FROM busybox\nARG NAME\nLABEL from-file="${NAME}"\nCOPY hello.txt /hello.txt\n',
    "source/app/hello.txt": "hello from docker-image put\n",
    "version/version": "1.4.2\n",
    "version/extra": "stable edge\n",
    "args/build-args.json": '{"NAME": "args-file"}',
  });
  const name = repoName("docker-image");
  const resource = dockerImageResource({ builder });
  const lines: string[] = [];
  const result = await resource.put(
    { repository: `${env.registry}/${name}` },
    {
      build: "source/app",
      tag_file: "version/version",
      tag_prefix: "v",
      tag_as_latest: true,
      additional_tags: "version/extra",
      build_args_file: "args/build-args.json",
      labels: { team: "ci" },
    },
    inputs,
    { log: (line) => lines.push(line) },
  );
  assert.ok(lines.length > 0, "the build's progress reached the step's log");
  assert.deepEqual(result.metadata, [
    { name: "repository", value: `${env.registry}/${name}` },
    { name: "tags", value: "v1.4.2 latest stable edge" },
  ]);
  for (const tag of ["v1.4.2", "latest", "stable", "edge"]) {
    assert.equal((await pushedImage(t, name, tag)).digest, result.version["digest"], tag);
  }
  const labels = (await pushedImage(t, name, "latest")).config.config?.["Labels"] as Record<string, string>;
  assert.equal(labels["from-file"], "args-file");
  assert.equal(labels["team"], "ci");

  const refused = await resource
    .put({ repository: `${env.registry}/${name}` }, { build: "../outside" }, inputs)
    .catch((error: unknown) => error);
  assert.match(String(refused), /build "..\/outside" is outside the build's inputs/);
});

test("sluice build image pushes with the docker config's login and writes a docker tarball", async (t) => {
  const credentials = { username: "ci", password: "cli-password" };
  const registry = await startTestRegistry({ auth: credentials });
  t.after(() => registry.stop());
  const dir = await context(t, { Dockerfile: "FROM busybox\nARG V\nRUN echo $V > /v\n" });
  const dockerConfig = await mkdtemp(path.join(os.tmpdir(), "docker-config-"));
  const builderState = await mkdtemp(path.join(os.tmpdir(), "cli-builder-"));
  t.after(() =>
    Promise.all([dockerConfig, builderState].map((d) => rm(d, { recursive: true, force: true }))),
  );
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  await writeFile(
    path.join(dockerConfig, "config.json"),
    JSON.stringify({ auths: { [registry.host]: { auth } } }),
  );
  process.env["DOCKER_CONFIG"] = dockerConfig;
  t.after(() => delete process.env["DOCKER_CONFIG"]);

  const tarball = path.join(dir, "out.tar");
  const ref = `${registry.host}/cli/app:2.0.0`;
  const built = await sluice(
    "build image",
    dir,
    "-t",
    ref,
    "--push",
    "--output",
    tarball,
    "--build-arg",
    "V=2",
    "--registry-mirror",
    `docker.io=${env.imageMirror}/docker.io`,
    "--cache-dir",
    builderState,
  );
  assert.equal(built.code, 0, show(built));
  const digest = built.stdout.trim();
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  const client = new RegistryClient({ host: registry.host, credentials });
  t.after(() => client.close());
  assert.equal((await client.headManifest("cli/app", "2.0.0")).digest, digest);
  assert.ok((await tarEntries(tarball)).includes("manifest.json"));

  const usage = await sluice("build image", dir, "--push");
  assert.equal(usage.code, 2, show(usage));
  assert.match(usage.stderr, /--push needs at least one --tag/);
});

test("a two-stage Go build: ARG before FROM, COPY --from, a cache mount, .dockerignore; the binary runs", async (t) => {
  const dir = await context(t, goAppFiles("hello from a two-stage build"));
  const rootfs = await mkdtemp(path.join(os.tmpdir(), "go-rootfs-"));
  t.after(() => rm(rootfs, { recursive: true, force: true }));
  await builder.build({ contextDir: dir, outputs: [{ kind: "rootfs", dir: rootfs }] });
  const ran = await runProcess(path.join(rootfs, "app"), [], { env: {}, timeoutMs: 10_000 });
  assert.equal(ran.stdout, "hello from a two-stage build\n");
  assert.ok((await stat(path.join(rootfs, "bin/busybox"))).isFile(), "the final stage is busybox");
  await assert.rejects(stat(path.join(rootfs, "src")), "nothing of the build stage is in the image");
});

test("registry-image get with format rootfs is unpacked by the builder: whiteouts and hard links of later layers apply", async (t) => {
  const dir = await context(t, {
    Dockerfile: [
      "FROM busybox",
      "RUN mkdir -p /data/gone && echo one > /data/kept && echo two > /data/gone/file && echo three > /data/removed",
      "RUN rm -r /data/gone /data/removed && ln /data/kept /data/linked",
      "ENV ROLE=unpacked",
      "USER 1000",
    ].join("\n"),
  });
  const name = repoName("unpack");
  const built = await builder.build({
    contextDir: dir,
    outputs: [{ kind: "push", refs: [`${env.registry}/${name}:1`] }],
  });
  const dest = await mkdtemp(path.join(os.tmpdir(), "regimg-rootfs-"));
  t.after(() => rm(dest, { recursive: true, force: true }));
  const resource = registryImageResource({ unpacker: builderRootfsUnpacker(builder) });
  await resource.get(
    { repository: `${env.registry}/${name}`, tag: "1" },
    { tag: "1", digest: built.digest! },
    {},
    dest,
  );
  const rootfs = path.join(dest, "rootfs");
  assert.equal(await readFile(path.join(rootfs, "data/kept"), "utf8"), "one\n");
  await assert.rejects(stat(path.join(rootfs, "data/gone")), "a directory removed in a later layer is gone");
  await assert.rejects(stat(path.join(rootfs, "data/removed")), "a file removed in a later layer is gone");
  const [kept, linked] = await Promise.all(["kept", "linked"].map((f) => stat(path.join(rootfs, "data", f))));
  assert.equal(kept!.ino, linked!.ino, "a hard link stays a hard link");
  assert.deepEqual(JSON.parse(await readFile(path.join(dest, "metadata.json"), "utf8")), {
    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ROLE=unpacked"],
    user: "1000",
  });
});

test("a build stops when the builder's disk runs low, with a message saying so", async (t) => {
  const state = await mkdtemp(path.join(os.tmpdir(), "builder-low-disk-"));
  const low = createImageBuilder({
    stateDir: state,
    mirrors: RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]),
    minFreeBytes: Number.MAX_SAFE_INTEGER, // more than any disk has free
  });
  t.after(async () => {
    await low.close();
    await rm(state, { recursive: true, force: true });
  });
  const dir = await context(t, { Dockerfile: "FROM busybox\nRUN sleep 30\n" });
  const started = Date.now();
  const error = await buildError(low.build({ contextDir: dir, outputs: [] }));
  assert.match(
    error.message,
    /the build was stopped: the disk holding .* has [\d.]+ GiB free, below the builder's bound/,
  );
  assert.ok(Date.now() - started < 20_000, "stopped at once, not after the RUN");
});

test("a builder daemon left behind by a killed server is stopped by the next one on the same state", async (t) => {
  const state = await mkdtemp(path.join(os.tmpdir(), "builder-leftover-"));
  t.after(() => rm(state, { recursive: true, force: true }));
  const dir = await context(t, { Dockerfile: "FROM scratch\nCOPY file /file\n", file: "x\n" });
  const crashed = createImageBuilder({ stateDir: state }); // never closed: as after a SIGKILL
  await crashed.build({ contextDir: dir, outputs: [] });
  const leftover = Number(await readFile(path.join(state, "buildkitd.pid"), "utf8"));
  const next = createImageBuilder({ stateDir: state });
  t.after(() => Promise.all([next.close(), crashed.close()]));
  await next.build({ contextDir: dir, outputs: [] });
  assert.notEqual(Number(await readFile(path.join(state, "buildkitd.pid"), "utf8")), leftover);
  await assert.rejects(readFile(`/proc/${leftover}/cmdline`, "utf8"), "the leftover daemon is gone");
});
