import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { detectCgroups, weightOfShares } from "./cgroups.ts";

// A directory laid out as the kernel's cgroup filesystems are: the files are plain files here, so
// the test reads what would have been written to the kernel.
async function fakeRoot(layout: "v1" | "v2" | "none") {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-cgroups-"));
  if (layout === "v2") {
    await writeFile(path.join(root, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    await mkdir(path.join(root, "sluice"));
    await writeFile(path.join(root, "sluice", "cgroup.controllers"), "cpu memory pids\n");
  }
  if (layout === "v1") {
    for (const controller of ["pids", "memory", "cpu"]) {
      await mkdir(path.join(root, controller));
      await writeFile(path.join(root, controller, "cgroup.procs"), "");
    }
  }
  return root;
}

test("cgroup v2: controllers enabled for the sluice subtree, limits in v2's files, pressure from its event files", async (t) => {
  const root = await fakeRoot("v2");
  t.after(() => rm(root, { recursive: true, force: true }));
  const cgroups = await detectCgroups(root);
  assert.ok(typeof cgroups !== "string", typeof cgroups === "string" ? cgroups : "");
  assert.equal(cgroups.version, 2);
  assert.equal(await readFile(path.join(root, "cgroup.subtree_control"), "utf8"), "+memory +pids +cpu");
  const group = await cgroups.create("w-1", {
    memoryBytes: 64 * 1024 ** 2,
    cpuShares: 512,
    maxProcesses: 100,
  });
  const dir = path.join(root, "sluice", "w-1");
  assert.deepEqual(group.procsFiles, [path.join(dir, "cgroup.procs")]);
  assert.equal(await readFile(path.join(dir, "memory.max"), "utf8"), String(64 * 1024 ** 2));
  assert.equal(await readFile(path.join(dir, "pids.max"), "utf8"), "100");
  assert.equal(await readFile(path.join(dir, "cpu.weight"), "utf8"), String(weightOfShares(512)));
  await writeFile(path.join(dir, "memory.events"), "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
  await writeFile(path.join(dir, "pids.events"), "max 42\n");
  assert.deepEqual(await group.pressure(), { oomKills: 1, forkRefusals: 42 });
  await group.remove();
  assert.equal(await readFile(path.join(dir, "cgroup.kill"), "utf8"), "1", "anything left is killed");
});

test("cgroup v1: one group per controller, removeAll takes only the groups of its prefix", async (t) => {
  const root = await fakeRoot("v1");
  t.after(() => rm(root, { recursive: true, force: true }));
  const cgroups = await detectCgroups(root);
  assert.ok(typeof cgroups !== "string", typeof cgroups === "string" ? cgroups : "");
  assert.equal(cgroups.version, 1);
  const group = await cgroups.create("a-1", { memoryBytes: 1024 ** 3, maxProcesses: 50 });
  await cgroups.create("b-1", { maxProcesses: 50 });
  assert.equal(group.procsFiles.length, 3);
  assert.equal(
    await readFile(path.join(root, "memory/sluice/a-1/memory.limit_in_bytes"), "utf8"),
    String(1024 ** 3),
  );
  assert.equal(await readFile(path.join(root, "pids/sluice/a-1/pids.max"), "utf8"), "50");
  await writeFile(path.join(root, "pids/sluice/a-1/pids.events"), "max 3\n");
  assert.deepEqual(await group.pressure(), { oomKills: 0, forkRefusals: 3 });
  // the fake's groups hold files, so rmdir fails as on a group still in use: removeAll must not throw
  await cgroups.removeAll("a-");
});

test("where no hierarchy can be used, detection says why", async (t) => {
  const root = await fakeRoot("none");
  t.after(() => rm(root, { recursive: true, force: true }));
  const detected = await detectCgroups(root);
  assert.equal(typeof detected, "string");
  assert.match(detected as string, /no cgroup hierarchy for pids, memory, cpu under /);
  assert.equal(weightOfShares(1024), 39);
  assert.equal(weightOfShares(2), 1);
});
