import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { InvalidArchiveError } from "../source/tar-gz.ts";
import { PathEscapeError, PathNotFoundError } from "./errors.ts";
import { artifact } from "./artifacts.test-support.ts";
import { createWorkspace, isInside, resolveBuildPath } from "./workspace.ts";

describe("createWorkspace", () => {
  it("extracts files into a private directory and removes it on dispose", async () => {
    const workspace = await createWorkspace(artifact({ "a/b/c.yaml": "x: 1\n", "top.txt": "hi" }));
    try {
      assert.equal(await readFile(path.join(workspace.root, "a/b/c.yaml"), "utf8"), "x: 1\n");
      assert.equal((await stat(path.dirname(workspace.root))).mode & 0o777, 0o700);
    } finally {
      await workspace.dispose();
    }
    await assert.rejects(stat(workspace.root), { code: "ENOENT" });
  });

  it("replaces symlinks to files inside the artifact with copies and keeps directory links", async () => {
    const workspace = await createWorkspace(
      artifact({
        "shared/cm.yaml": "kind: ConfigMap\n",
        "app/cm.yaml": { symlink: "../shared/cm.yaml" },
        "app/chain.yaml": { symlink: "cm.yaml" },
        "app/dir": { symlink: "../shared" },
      }),
    );
    try {
      const copy = path.join(workspace.root, "app/cm.yaml");
      assert.ok((await lstat(copy)).isFile());
      assert.equal(await readFile(copy, "utf8"), "kind: ConfigMap\n");
      assert.equal(await readFile(path.join(workspace.root, "app/chain.yaml"), "utf8"), "kind: ConfigMap\n");
      assert.ok((await lstat(path.join(workspace.root, "app/dir"))).isSymbolicLink());
    } finally {
      await workspace.dispose();
    }
  });

  it("refuses a symlink leading outside, naming the link, and leaves nothing behind", async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), "sluice-ws-test-"));
    try {
      for (const [link, target] of [
        ["apps/passwd.yaml", "/etc/passwd"],
        ["apps/up", "../../.."],
        ["apps/etc", "/etc"],
        ["apps/dangling", "../../nowhere"],
      ] as const) {
        await assert.rejects(
          createWorkspace(artifact({ "apps/ok.yaml": "a: 1\n", [link]: { symlink: target } }), {
            tmpDir: parent,
          }),
          (err) =>
            err instanceof PathEscapeError &&
            err.message.includes(`symlink '${link}'`) &&
            err.message.includes(target),
          link,
        );
      }
      assert.deepEqual(await readdir(parent), []);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it("refuses a link chained through another link that leads outside", async () => {
    await assert.rejects(
      createWorkspace(artifact({ "a/inner": { symlink: "../b" }, b: { symlink: "/etc" } })),
      PathEscapeError,
    );
  });

  it("refuses entries below a symlink instead of writing through it", async () => {
    await assert.rejects(
      createWorkspace(
        artifact({ "x/dir": { symlink: "../y" }, "y/keep": "1", "x/dir/sub": { symlink: "z" } }),
      ),
      InvalidArchiveError,
    );
  });
});

describe("resolveBuildPath", () => {
  async function withTree(fn: (root: string) => Promise<void>): Promise<void> {
    const workspace = await createWorkspace(
      artifact({
        "apps/prod/app.yaml": "a: 1\n",
        "apps/file.yaml": "b: 2\n",
        "apps/link": { symlink: "prod" },
      }),
    );
    try {
      await fn(workspace.root);
    } finally {
      await workspace.dispose();
    }
  }

  it("resolves relative paths, with or without ./, and the root for an empty path", async () => {
    await withTree(async (root) => {
      assert.equal(await resolveBuildPath(root, "./apps/prod", "main@sha1:1"), path.join(root, "apps/prod"));
      assert.equal(await resolveBuildPath(root, "apps/prod/", "main@sha1:1"), path.join(root, "apps/prod"));
      assert.equal(await resolveBuildPath(root, "apps/link", "main@sha1:1"), path.join(root, "apps/prod"));
      assert.equal(await resolveBuildPath(root, "", "main@sha1:1"), root);
      assert.equal(await resolveBuildPath(root, "./", "main@sha1:1"), root);
      assert.equal(
        await resolveBuildPath(root, "apps/../apps/prod", "main@sha1:1"),
        path.join(root, "apps/prod"),
      );
    });
  });

  it("refuses paths that leave the artifact", async () => {
    await withTree(async (root) => {
      await assert.rejects(resolveBuildPath(root, "../x", "r"), {
        name: "PathEscapeError",
        message: "path '../x' points outside the source artifact",
      });
      await assert.rejects(resolveBuildPath(root, "apps/../../..", "r"), PathEscapeError);
      await assert.rejects(resolveBuildPath(root, "/etc", "r"), {
        name: "PathEscapeError",
        message: "path '/etc' is absolute; it must be relative to the root of the source artifact",
      });
    });
  });

  it("refuses a symlinked directory leading outside", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "sluice-ws-test-"));
    try {
      await mkdir(path.join(root, "apps"));
      await symlink("/etc", path.join(root, "apps/outside"));
      await assert.rejects(resolveBuildPath(root, "apps/outside", "r"), {
        name: "PathEscapeError",
        message: "path 'apps/outside' leads outside the source artifact through a symlink",
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("reports a missing path or a file with the revision", async () => {
    await withTree(async (root) => {
      await assert.rejects(resolveBuildPath(root, "./nope", "main@sha1:abc"), (err) => {
        assert.ok(err instanceof PathNotFoundError);
        assert.equal(err.message, "path './nope' not found in revision 'main@sha1:abc'");
        assert.equal(err.reason, "ArtifactFailed");
        return true;
      });
      await assert.rejects(resolveBuildPath(root, "apps/file.yaml", "r"), {
        message: "path 'apps/file.yaml' is not a directory in revision 'r'",
      });
    });
  });
});

describe("isInside", () => {
  it("tells containment by path components, not by string prefix", () => {
    assert.ok(isInside("/a/b", "/a/b"));
    assert.ok(isInside("/a/b", "/a/b/c"));
    assert.ok(isInside("/a/b", "/a/b/..c"));
    assert.ok(!isInside("/a/b", "/a/bc"));
    assert.ok(!isInside("/a/b", "/a"));
  });
});
