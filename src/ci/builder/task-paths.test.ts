import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveTaskPath, TaskPathError } from "./task-paths.ts";

const mounts = [
  { path: ".", dir: "/vol/root" },
  { path: "source-code", dir: "/vol/src" },
  { path: "source-code/vendor", dir: "/vol/vendor" },
  { path: "image/", dir: "/vol/image" },
];

test("a task path resolves through the mount that holds it most closely", () => {
  assert.equal(resolveTaskPath(mounts, "."), "/vol/root");
  assert.equal(resolveTaskPath(mounts, "notes.txt"), "/vol/root/notes.txt");
  assert.equal(resolveTaskPath(mounts, "source-code"), "/vol/src");
  assert.equal(resolveTaskPath(mounts, "./source-code/app/Dockerfile"), "/vol/src/app/Dockerfile");
  assert.equal(resolveTaskPath(mounts, "source-code/vendor/lib"), "/vol/vendor/lib");
  assert.equal(resolveTaskPath(mounts, "source-code-2/x"), "/vol/root/source-code-2/x");
  assert.equal(resolveTaskPath(mounts, "image"), "/vol/image");
});

test("paths leaving the working directory or held by no mount are refused", () => {
  assert.throws(() => resolveTaskPath(mounts, "../etc"), TaskPathError);
  assert.throws(() => resolveTaskPath(mounts, "source-code/../../x"), /outside the task's working directory/);
  assert.throws(() => resolveTaskPath(mounts, "/etc/passwd"), /outside/);
  assert.throws(
    () => resolveTaskPath([{ path: "a", dir: "/a" }], "b/c"),
    /not in any of the task's inputs or outputs \(they are at: a\)/,
  );
});
