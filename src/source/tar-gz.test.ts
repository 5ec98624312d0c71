import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { createTar, type TarEntry } from "../common/tar.ts";
import {
  ArchiveTooLargeError,
  InvalidArchiveError,
  extractTarGz,
  gzipDeterministic,
  readTar,
} from "./tar-gz.ts";

const run = promisify(execFile);

const longPath = `${"dir-".repeat(30)}/${"n".repeat(120)}.yaml`;
const entries: TarEntry[] = [
  { type: "directory", path: "a", mode: 0o755 },
  { type: "file", path: "a/run.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
  { type: "file", path: "a/empty", content: Buffer.alloc(0), mode: 0o644 },
  { type: "symlink", path: "a/link", target: "run.sh" },
  { type: "symlink", path: "a/long-link", target: longPath },
  { type: "file", path: longPath, content: Buffer.from("long\n"), mode: 0o644 },
];

describe("gzipDeterministic", () => {
  it("gives equal bytes for equal input, with mtime 0, readable by zlib and the system gzip", async () => {
    const data = Buffer.from("hello ".repeat(1000));
    const first = gzipDeterministic(data);
    assert.ok(first.equals(gzipDeterministic(Buffer.from(data))));
    assert.equal(first.readUInt32LE(4), 0);
    assert.ok(gunzipSync(first).equals(data));
    const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-gzip-"));
    try {
      await writeFile(path.join(dir, "x.gz"), first);
      const { stdout } = await run("gzip", ["-dc", path.join(dir, "x.gz")]);
      assert.equal(stdout, data.toString());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("readTar and extractTarGz", () => {
  it("reads back what createTar writes, PAX long names included", () => {
    assert.deepEqual(readTar(createTar(entries)), entries);
    assert.deepEqual(extractTarGz(gzipDeterministic(createTar(entries))), entries);
  });

  it("reads a tar written by the system tar, dropping ./ prefixes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-readtar-"));
    try {
      await writeFile(path.join(dir, "f.txt"), "content\n");
      const { stdout } = await run("tar", ["-C", dir, "--format=gnu", "-cf", "-", "."], {
        encoding: "buffer",
      });
      const read = readTar(stdout);
      assert.deepEqual(
        read.map((e) => [e.type, e.path]),
        [["file", "f.txt"]],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects entries outside the root, bad checksums and truncation", () => {
    const tar = createTar([{ type: "file", path: "ok", content: "x" }]);
    const escaping = Buffer.from(tar);
    escaping.write("../evil\0", 0, "latin1");
    assert.throws(() => readTar(escaping), InvalidArchiveError); // the checksum no longer matches
    const absolute = readTarWithName("/etc/passwd");
    assert.throws(() => readTar(absolute), /absolute/);
    assert.throws(() => readTar(readTarWithName("a/../../b")), /leaves the archive root/);
    assert.throws(() => readTar(tar.subarray(0, 512)), /truncated/);
  });

  it("refuses to expand beyond the limit, and rejects what is not gzip", () => {
    const big = gzipSync(createTar([{ type: "file", path: "big", content: Buffer.alloc(64 * 1024) }]));
    assert.throws(() => extractTarGz(big, { maxBytes: 1024 }), ArchiveTooLargeError);
    assert.throws(() => extractTarGz(Buffer.from("plain")), InvalidArchiveError);
  });
});

/** A one-entry tar whose name field says `name`, with a valid checksum. */
function readTarWithName(name: string): Buffer {
  const tar = createTar([{ type: "file", path: "placeholder", content: "x" }]);
  tar.fill(0, 0, 100);
  tar.write(name, 0, "utf8");
  tar.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of tar.subarray(0, 512)) sum += byte;
  tar.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return tar;
}
