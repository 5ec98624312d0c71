import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runGit } from "../git/exec.ts";
import { addAll, commit, init } from "../git/repository.ts";
import { BlobReader, CatFileParser, listTree, type CatFileResult } from "./git-objects.ts";

describe("CatFileParser", () => {
  const stream = Buffer.concat([
    Buffer.from("1111 blob 5\nhello\n"),
    Buffer.from("2222 missing\n"),
    Buffer.from("3333 blob 0\n\n"),
    Buffer.from("4444 blob 3\na\nb\n"),
  ]);
  const expected: CatFileResult[] = [
    { oid: "1111", type: "blob", content: Buffer.from("hello") },
    { oid: "2222", missing: true },
    { oid: "3333", type: "blob", content: Buffer.alloc(0) },
    { oid: "4444", type: "blob", content: Buffer.from("a\nb") },
  ];

  it("parses objects delivered in one chunk", () => {
    const results: CatFileResult[] = [];
    new CatFileParser((r) => results.push(r)).push(stream);
    assert.deepEqual(results, expected);
  });

  it("parses objects delivered one byte at a time", () => {
    const results: CatFileResult[] = [];
    const parser = new CatFileParser((r) => results.push(r));
    for (const byte of stream) parser.push(Buffer.from([byte]));
    assert.deepEqual(results, expected);
  });

  it("rejects content not followed by a newline", () => {
    const parser = new CatFileParser(() => {});
    assert.throws(() => parser.push(Buffer.from("1 blob 1\nxy")), /newline/);
  });
});

describe("listTree and BlobReader", () => {
  let repo: string;
  let head: string;

  before(async () => {
    repo = await mkdtemp(path.join(os.tmpdir(), "sluice-git-objects-"));
    await init(repo, { initialBranch: "main" });
    await writeFile(path.join(repo, "tab\tand space.txt"), "odd name\n");
    await writeFile(path.join(repo, "big.bin"), Buffer.alloc(3 * 1024 * 1024, 7));
    await addAll(repo);
    head = await commit(repo, { message: "files", author: { name: "T", email: "t@sluice.invalid" } });
  });

  after(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it("lists paths with odd characters and sizes", async () => {
    const entries = await listTree(repo, head);
    assert.deepEqual(
      entries.map((e) => [e.path, e.mode, e.type, e.size]),
      [
        ["big.bin", "100644", "blob", 3 * 1024 * 1024],
        ["tab\tand space.txt", "100644", "blob", 9],
      ],
    );
  });

  it("reads many blobs, overlapping, through one process", async () => {
    const entries = await listTree(repo, head);
    const reader = new BlobReader(repo);
    try {
      const contents = await Promise.all([...entries, ...entries].map((e) => reader.read(e.oid)));
      assert.deepEqual(
        contents.map((c) => c.length),
        [3 * 1024 * 1024, 9, 3 * 1024 * 1024, 9],
      );
      assert.equal(contents[1]?.toString(), "odd name\n");
    } finally {
      await reader.close();
    }
  });

  it("rejects missing objects, non-blobs and malformed ids, and keeps working", async () => {
    const { stdout } = await runGit(["rev-parse", "HEAD^{tree}"], { cwd: repo });
    const reader = new BlobReader(repo);
    try {
      await assert.rejects(reader.read("0".repeat(40)), /missing/);
      await assert.rejects(reader.read(stdout.trim()), /is a tree, not a blob/);
      await assert.rejects(reader.read("HEAD\nmain"), /not an object id/);
      const [entry] = await listTree(repo, head);
      assert.equal((await reader.read(entry?.oid ?? "")).length, 3 * 1024 * 1024);
    } finally {
      await reader.close();
    }
  });

  it("fails pending reads when aborted", async () => {
    const controller = new AbortController();
    const reader = new BlobReader(repo, { signal: controller.signal });
    controller.abort();
    await assert.rejects(reader.read("0".repeat(40)), /aborted/);
    await reader.close();
  });
});
