import assert from "node:assert/strict";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defaultTargetFiles, listTargets, loadTarget, saveTarget } from "./targets.ts";

async function home() {
  return defaultTargetFiles(await mkdtemp(path.join(os.tmpdir(), "sluice-targets-")));
}

const flyrc = `targets:
  kuberocks:
    api: https://ci.example.com
    team: main
    token:
      type: bearer
      value: fly-token
  other:
    api: https://other.example.com
    team: ops
`;

describe("targets", () => {
  it("reads a target fly saved in ~/.flyrc", async () => {
    const files = await home();
    await writeFile(files.fly, flyrc);
    const target = await loadTarget("kuberocks", files);
    assert.equal(target.api, "https://ci.example.com");
    assert.deepEqual(target.token, { type: "bearer", value: "fly-token" });
  });

  it("saves to ~/.sluicerc (owner-only), which wins over fly's file and leaves it untouched", async () => {
    const files = await home();
    await writeFile(files.fly, flyrc);
    await saveTarget("kuberocks", { api: "http://127.0.0.1:8080", team: "main" }, files);
    assert.equal((await loadTarget("kuberocks", files)).api, "http://127.0.0.1:8080");
    assert.equal(await readFile(files.fly, "utf8"), flyrc);
    assert.equal((await stat(files.own)).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(await listTargets(files)).sort(), ["kuberocks", "other"]);
  });

  it("keeps the other targets when one is saved", async () => {
    const files = await home();
    await saveTarget("a", { api: "http://a", team: "main" }, files);
    await saveTarget("b", { api: "http://b", team: "x" }, files);
    assert.equal((await loadTarget("a", files)).api, "http://a");
    assert.equal((await loadTarget("b", files)).team, "x");
  });

  it("an unknown target says how to log in; a missing -t says to pass one", async () => {
    const files = await home();
    await assert.rejects(loadTarget("nope", files), /unknown target: nope/);
    await assert.rejects(loadTarget(undefined, files), /no target given/);
  });

  it("a malformed file names the file and the field", async () => {
    const files = await home();
    await writeFile(files.own, "targets:\n  x:\n    team: main\n");
    await assert.rejects(
      loadTarget("x", files),
      (e: Error) => e.message.includes(files.own) && /x\.api/.test(e.message),
    );
  });
});
