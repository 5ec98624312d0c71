import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { createTar } from "../../common/tar.ts";
import { sha256Digest } from "../../oci/digest.ts";
import { ImageManifest } from "../../oci/manifest.ts";
import { MediaType } from "../../oci/media-types.ts";
import { inheritedEnv, runProcess } from "../../process/run.ts";
import { readImageConfig, readImageLayout, writeImageLayout, type ImageSpec } from "./oci-layout.ts";

const tar = createTar([
  { type: "directory", path: "bin" },
  { type: "file", path: "bin/hello", content: "#!/bin/sh\necho hello\n", mode: 0o755 },
  { type: "symlink", path: "sh", target: "bin/hello" },
]);
let work: string;
let spec: ImageSpec;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "oci-layout-"));
  await writeFile(path.join(work, "rootfs.tar"), tar);
  spec = {
    rootfsTar: path.join(work, "rootfs.tar"),
    created: "2025-01-01T00:00:00.000Z",
    env: { PATH: "/bin", GOPATH: "/go" },
    cmd: ["/bin/sh"],
    labels: { "dev.sluice.base-image.packages": "busybox-static=1:1.35.0" },
    refName: "tiny",
    createdBy: "a test",
  };
});
after(() => rm(work, { recursive: true, force: true }));

describe("writing a base image OCI layout", () => {
  it("writes one gzip layer of the tar, a config with env, cmd and labels, and a manifest naming both", async () => {
    const written = await writeImageLayout(path.join(work, "a"), spec);
    const layer = await readFile(written.layers[0]!.file);
    assert.equal(sha256Digest(layer), written.layers[0]!.digest);
    assert.equal(layer.length, written.layers[0]!.size);
    assert.deepEqual(gunzipSync(layer), tar);

    const config = await readImageConfig(written);
    assert.deepEqual(config.rootfs.diff_ids, [sha256Digest(tar)]);
    assert.equal(config.architecture, "amd64");
    assert.equal(config.os, "linux");
    assert.equal(config.created, spec.created);
    assert.deepEqual(config.config, {
      Env: ["PATH=/bin", "GOPATH=/go"],
      Cmd: ["/bin/sh"],
      Labels: spec.labels,
    });

    const manifest = ImageManifest.parse(JSON.parse(await readFile(written.manifest.file, "utf8")));
    assert.equal(manifest.mediaType, MediaType.ociManifest);
    assert.equal(manifest.config.digest, written.config.digest);
    assert.deepEqual(
      manifest.layers.map((l) => [l.mediaType, l.digest]),
      [[MediaType.ociLayerGzip, written.layers[0]!.digest]],
    );
    assert.deepEqual(JSON.parse(await readFile(path.join(work, "a", "oci-layout"), "utf8")), {
      imageLayoutVersion: "1.0.0",
    });
  });

  it("reads back what it wrote, and the same input gives the same digests", async () => {
    const first = await writeImageLayout(path.join(work, "b"), spec);
    const second = await writeImageLayout(path.join(work, "c"), spec);
    assert.equal(second.manifest.digest, first.manifest.digest);
    const read = await readImageLayout(path.join(work, "b"));
    assert.deepEqual(read, first);
    const changed = await writeImageLayout(path.join(work, "d"), { ...spec, cmd: ["/bin/bash"] });
    assert.notEqual(changed.manifest.digest, first.manifest.digest);
    assert.equal(changed.layers[0]!.digest, first.layers[0]!.digest);
  });

  it("puts leading directories before the tar's entries and keeps one valid archive", async () => {
    const written = await writeImageLayout(path.join(work, "f"), { ...spec, leadingDirectories: ["dev"] });
    const layerTar = path.join(work, "f.tar");
    await writeFile(layerTar, gunzipSync(await readFile(written.layers[0]!.file)));
    const { stdout } = await runProcess("tar", ["-tvf", layerTar], {
      env: inheritedEnv(),
      timeoutMs: 10_000,
    });
    const lines = stdout.trim().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split(/\s+/)[5]),
      ["dev/", "bin/", "bin/hello", "sh"],
    );
    assert.match(lines[0]!, /^drwxr-xr-x 0\/0 /);
    const config = await readImageConfig(written);
    assert.deepEqual(config.rootfs.diff_ids, [sha256Digest(await readFile(layerTar))]);
  });
});

describe("reading a base image OCI layout", () => {
  it("refuses a layout whose manifest does not match its digest, naming the file", async () => {
    const written = await writeImageLayout(path.join(work, "e"), spec);
    await writeFile(written.manifest.file, "{}");
    await assert.rejects(readImageLayout(path.join(work, "e")), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`${written.manifest.file} has digest sha256:[0-9a-f]{64}, expected`),
      );
      return true;
    });
  });

  it("refuses a layout without index.json", async () => {
    await assert.rejects(readImageLayout(path.join(work, "missing")), /index\.json/);
  });
});
