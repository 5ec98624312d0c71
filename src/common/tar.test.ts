import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createTar, type TarEntry } from "./tar.ts";

const run = promisify(execFile);

const longDirectory = Array.from({ length: 6 }, (_, i) => `directory-${i}-${"d".repeat(20)}`).join("/");
const longName = `${"n".repeat(120)}.txt`;

const entries: TarEntry[] = [
  { type: "directory", path: "bin" },
  { type: "file", path: "bin/run.sh", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  { type: "directory", path: "etc/" },
  { type: "file", path: "etc/empty", content: "" },
  { type: "file", path: "etc/block", content: Buffer.alloc(512, 7) },
  { type: "file", path: "etc/grüße.txt", content: "hallo\n" },
  { type: "symlink", path: "etc/link", target: "block" },
  { type: "file", path: `${longDirectory}/short.txt`, content: "split into prefix and name\n" },
  { type: "file", path: `deep/${longName}`, content: "needs a PAX path\n" },
];

describe("createTar", () => {
  let dir: string;
  let archive: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sluice-tar-"));
    archive = path.join(dir, "out.tar");
    await writeFile(archive, createTar(entries));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists every entry in the given order with GNU tar", async () => {
    const { stdout } = await run("tar", ["-tf", archive]);
    const expected = entries.map((e) => (e.type === "directory" ? `${e.path.replace(/\/$/, "")}/` : e.path));
    assert.deepEqual(stdout.trimEnd().split("\n"), expected);
  });

  it("records owner 0/0, mtime 0 and the given modes", async () => {
    const { stdout } = await run("tar", ["--numeric-owner", "--full-time", "-tvf", archive]);
    const lines = stdout.trimEnd().split("\n");
    assert.ok(
      lines.every((line) => / 0\/0 /.test(line) && line.includes("1970-01-01 00:00:00")),
      stdout,
    );
    assert.match(lines[0] ?? "", /^drwxr-xr-x /);
    assert.match(lines[1] ?? "", /^-rwxr-xr-x /);
    assert.match(lines[3] ?? "", /^-rw-r--r-- /);
    assert.match(lines[6] ?? "", /^lrwxrwxrwx .* etc\/link -> block$/);
  });

  it("extracts the same contents", async () => {
    const target = path.join(dir, "extracted");
    await mkdir(target);
    await run("tar", ["-xf", archive, "-C", target]);
    assert.equal(await readFile(path.join(target, "bin/run.sh"), "utf8"), "#!/bin/sh\necho hi\n");
    assert.equal((await lstat(path.join(target, "bin/run.sh"))).mode & 0o777, 0o755);
    assert.equal((await readFile(path.join(target, "etc/empty"))).length, 0);
    assert.deepEqual(await readFile(path.join(target, "etc/block")), Buffer.alloc(512, 7));
    assert.equal(await readFile(path.join(target, "etc/grüße.txt"), "utf8"), "hallo\n");
    assert.equal(await readlink(path.join(target, "etc/link")), "block");
    assert.equal(
      await readFile(path.join(target, longDirectory, "short.txt"), "utf8"),
      "split into prefix and name\n",
    );
    assert.equal(await readFile(path.join(target, "deep", longName), "utf8"), "needs a PAX path\n");
  });

  it("gives the same bytes for the same entries", () => {
    assert.deepEqual(createTar(entries), createTar(entries));
  });

  it("ends with two zero blocks and keeps 512-byte blocks", () => {
    const tar = createTar([{ type: "file", path: "a", content: "x" }]);
    assert.equal(tar.length, 512 * 4);
    assert.ok(tar.subarray(1024).every((byte) => byte === 0));
  });

  it("refuses paths that could escape the extraction directory", () => {
    for (const bad of ["/etc/passwd", "../x", "a/../../x", "a//b", "./a", ""]) {
      assert.throws(() => createTar([{ type: "file", path: bad, content: "" }]), /must be relative/, bad);
    }
  });
});
