import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { DirectoryArtifacts } from "./directory-artifacts.ts";

test("artifacts are registered directories; files are read inside them only", async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-artifacts-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(path.join(root, "outside"), "secret");
  const artifacts = new DirectoryArtifacts(root);
  const signal = new AbortController().signal;

  const first = await artifacts.allocate("repo");
  const second = await artifacts.allocate("repo");
  assert.notEqual(first, second);
  assert.equal(artifacts.has("repo"), false, "allocating does not register");
  await writeFile(path.join(first, "version"), "1.2.3");
  artifacts.register("repo", first);

  assert.deepEqual(artifacts.names(), ["repo"]);
  assert.equal(artifacts.directory("repo"), first);
  assert.equal(new TextDecoder().decode(await artifacts.readFile("repo", "version", signal)), "1.2.3");
  assert.equal(await artifacts.readFile("repo", "missing", signal), undefined);
  assert.equal(await artifacts.readFile("repo", "../../outside", signal), undefined);
  assert.equal(await artifacts.readFile("other", "version", signal), undefined);

  artifacts.register("repo", second);
  assert.equal(await artifacts.readFile("repo", "version", signal), undefined, "the later directory wins");
});
