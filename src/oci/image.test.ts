import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { sha256Digest } from "./digest.ts";
import { generateImage } from "./image.ts";
import { ImageConfig, ImageManifest } from "./manifest.ts";
import { MediaType } from "./media-types.ts";

const run = promisify(execFile);
const files = { "app/config.yaml": "replicas: 1\n", "app/bin/hello": "hello\n", README: "tiny\n" };

describe("generateImage", () => {
  it("gives the same digests for the same input", () => {
    const first = generateImage({ files });
    const second = generateImage({
      files: { README: "tiny\n", "app/bin/hello": "hello\n", "app/config.yaml": "replicas: 1\n" },
    });
    assert.equal(first.manifest.digest, second.manifest.digest);
    assert.equal(first.config.digest, second.config.digest);
    assert.deepEqual(
      first.layers.map((l) => l.digest),
      second.layers.map((l) => l.digest),
    );
  });

  it("gives other digests for other files or another creation time", () => {
    const base = generateImage({ files }).manifest.digest;
    assert.notEqual(generateImage({ files: { ...files, README: "changed\n" } }).manifest.digest, base);
    assert.notEqual(generateImage({ files, created: "2024-01-01T00:00:00Z" }).manifest.digest, base);
  });

  it("builds an OCI manifest whose descriptors match the blobs", () => {
    const image = generateImage({ files });
    const manifest = ImageManifest.parse(JSON.parse(image.manifest.bytes.toString("utf8")));
    assert.equal(image.manifest.digest, sha256Digest(image.manifest.bytes));
    assert.deepEqual(manifest, {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: image.config.digest, size: image.config.size },
      layers: image.layers.map((l) => ({
        mediaType: MediaType.ociLayerGzip,
        digest: l.digest,
        size: l.size,
      })),
    });
    for (const blob of [image.config, ...image.layers]) {
      assert.equal(blob.digest, sha256Digest(blob.bytes));
      assert.equal(blob.size, blob.bytes.length);
    }
  });

  it("writes a linux/amd64 config whose diff_id is the uncompressed layer's digest", () => {
    const image = generateImage({ files, created: "2024-01-01T00:00:00Z" });
    const config = ImageConfig.parse(JSON.parse(image.config.bytes.toString("utf8")));
    const layer = image.layers[0];
    assert.ok(layer);
    assert.equal(config.architecture, "amd64");
    assert.equal(config.os, "linux");
    assert.equal(config.created, "2024-01-01T00:00:00Z");
    assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [sha256Digest(gunzipSync(layer.bytes))] });
  });

  it("gzips with a fixed header: no mtime, unknown OS", () => {
    const layer = generateImage({ files }).layers[0];
    assert.ok(layer);
    assert.equal(layer.bytes.readUInt32LE(4), 0);
    assert.equal(layer.bytes[9], 255);
  });

  it("makes a layer that extracts to the files, parents first", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sluice-image-"));
    try {
      const layer = generateImage({ files }).layers[0];
      assert.ok(layer);
      await writeFile(path.join(dir, "layer.tar.gz"), layer.bytes);
      const { stdout } = await run("tar", ["-tzf", "layer.tar.gz"], { cwd: dir });
      assert.deepEqual(stdout.trimEnd().split("\n"), [
        "README",
        "app/",
        "app/bin/",
        "app/bin/hello",
        "app/config.yaml",
      ]);
      await run("tar", ["-xzf", "layer.tar.gz"], { cwd: dir });
      assert.equal(await readFile(path.join(dir, "app/config.yaml"), "utf8"), "replicas: 1\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a path that is both a file and a directory", () => {
    assert.throws(() => generateImage({ files: { a: "x", "a/b": "y" } }), /also a directory/);
  });
});
