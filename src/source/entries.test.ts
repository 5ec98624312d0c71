import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TarEntry } from "../common/tar.ts";
import { dropEscapingSymlinks, includeEntries, mergeEntries } from "./entries.ts";

const file = (p: string, content = p): TarEntry => ({ type: "file", path: p, content });
const link = (p: string, target: string): TarEntry => ({ type: "symlink", path: p, target });

describe("includeEntries", () => {
  const artifact = [
    { type: "directory" as const, path: "deploy" },
    file("deploy/app.yaml"),
    file("deploy/base/k.yaml"),
    file("deployment.md"),
    file("README.md"),
  ];

  it("places everything under toPath when fromPath is empty", () => {
    assert.deepEqual(
      includeEntries(artifact, { toPath: "vendor/other" }).map((e) => e.path),
      [
        "vendor/other/deploy/app.yaml",
        "vendor/other/deploy/base/k.yaml",
        "vendor/other/deployment.md",
        "vendor/other/README.md",
      ],
    );
  });

  it("takes only what is below fromPath", () => {
    assert.deepEqual(
      includeEntries(artifact, { fromPath: "./deploy/", toPath: "/base/app" }).map((e) => e.path),
      ["base/app/app.yaml", "base/app/base/k.yaml"],
    );
  });

  it("rejects paths that leave the artifact", () => {
    assert.throws(() => includeEntries(artifact, { toPath: "../x" }), /toPath "..\/x" must stay inside/);
    assert.throws(() => includeEntries(artifact, { fromPath: "a/../../b", toPath: "x" }), /fromPath/);
  });
});

describe("mergeEntries", () => {
  it("lets the overlay replace files, and clears what conflicts with its files and directories", () => {
    const base = [file("keep"), file("same", "old"), file("blocker"), file("dir/below"), file("dir/other")];
    const overlay = [file("same", "new"), file("blocker/inside"), file("dir")];
    const merged = mergeEntries(base, overlay);
    assert.deepEqual(
      merged.map((e) => [e.path, e.type === "file" ? String(e.content) : ""]),
      [
        ["keep", "keep"],
        ["same", "new"],
        ["blocker/inside", "blocker/inside"],
        ["dir", "dir"],
      ],
    );
  });
});

describe("dropEscapingSymlinks", () => {
  it("keeps links inside the tree, dangling or not", () => {
    const entries = [
      file("a/b.txt"),
      link("a/up", "../a/b.txt"),
      link("dangling", "nowhere/x"),
      link("self", "."),
    ];
    assert.deepEqual(dropEscapingSymlinks(entries), { kept: entries, dropped: [] });
  });

  it("drops absolute targets, targets above the root, loops and chains that escape", () => {
    const entries = [
      link("abs", "/etc/passwd"),
      link("up", ".."),
      link("sub/root", ".."),
      link("sub/escape", "root/.."),
      link("loop1", "loop2"),
      link("loop2", "loop1"),
      link("via-dropped", "up/x"),
      file("sub/file"),
    ];
    const { kept, dropped } = dropEscapingSymlinks(entries);
    assert.deepEqual(dropped, ["abs", "loop1", "loop2", "sub/escape", "up", "via-dropped"].sort());
    assert.deepEqual(
      kept.map((e) => e.path),
      ["sub/root", "sub/file"],
    );
  });
});
