import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { SluiceError } from "../src/common/errors.ts";
import { devDown, devStatus, devUp } from "../src/dev/environment.ts";
import { postgresAnswers, postgresDir } from "../src/dev/postgres.ts";
import { isRunning } from "../src/dev/processes.ts";
import { readState } from "../src/dev/state.ts";
import { repoRoot } from "./helpers/env.ts";
import { waitFor } from "./helpers/wait.ts";

const run = promisify(execFile);
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "sluice-lifecycle-"));
});
after(async () => {
  await devDown(dir, { purge: true });
});

test("a missing upstream binary stops dev up at a named step and leaves nothing running", async () => {
  const saved = process.env["SLUICE_CACHE"];
  process.env["SLUICE_CACHE"] = path.join(dir, "empty-cache");
  try {
    await assert.rejects(devUp({ dir: path.join(dir, "broken"), nodes: 1 }), (err: unknown) => {
      assert.ok(err instanceof SluiceError);
      assert.match(err.message, /is not built/);
      assert.match(err.hint ?? "", /build-upstream\.sh/);
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env["SLUICE_CACHE"];
    else process.env["SLUICE_CACHE"] = saved;
  }
  assert.equal(await readState(path.join(dir, "broken")), undefined, "no processes recorded");
});

test("dev up is idempotent, status reports a dead component, and dev down leaves no process", async () => {
  const first = await devUp({ dir, nodes: 1, registryAuth: true });
  assert.equal(first.alreadyRunning, false);
  for (const key of ["kubeconfig", "registry", "gitUrl", "gitUsername", "gitPassword"] as const)
    assert.ok(first.env[key], key);
  assert.ok(first.env.registryPassword, "registry auth enabled");

  const second = await devUp({ dir, nodes: 1 });
  assert.equal(second.alreadyRunning, true);
  assert.equal(second.env.apiServer, first.env.apiServer);

  const status = await devStatus(dir);
  assert.deepEqual(status.components.map((c) => c.name).sort(), [
    "etcd",
    "git-server",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "postgres",
    "registry",
    "sshd",
  ]);
  assert.ok(status.components.every((c) => c.running));
  assert.ok(first.env.postgresUrl && (await postgresAnswers(first.env.postgresUrl)), "PostgreSQL answers");

  const registry = status.components.find((c) => c.name === "registry")!;
  process.kill(registry.pid, "SIGKILL");
  await waitFor("status to report the killed registry", async () => {
    const s = await devStatus(dir);
    return s.components.find((c) => c.name === "registry")?.running === false ? true : undefined;
  });
  const { stdout } = await run(path.join(repoRoot, "bin/sluice"), ["dev", "status", "--dir", dir]).catch(
    (e: { stdout: string; code: number }) => {
      assert.equal(e.code, 1, "dev status exits 1 when a component is down");
      return e;
    },
  );
  assert.match(stdout, /registry\s+EXITED/);

  const state = (await readState(dir))!;
  const stopped = await devDown(dir);
  assert.equal(stopped.length, 9);
  for (const p of state.processes)
    assert.equal(await isRunning(p), false, `${p.name} (pid ${p.pid}) stopped`);
  await assert.rejects(access(path.join(dir, "env.json")), "env.json removed");
  assert.deepEqual(await devDown(dir), [], "a second down is a no-op");
  await devDown(dir, { purge: true });
  await assert.rejects(access(postgresDir(dir)), "the purge removes PostgreSQL's data too");
});

test("sluice dev status and down on an empty directory say so and succeed", async () => {
  const empty = path.join(dir, "nothing");
  const status = await run(path.join(repoRoot, "bin/sluice"), ["dev", "status", "--dir", empty]);
  assert.match(status.stdout, /no environment/);
  const down = await run(path.join(repoRoot, "bin/sluice"), ["dev", "down", "--dir", empty]);
  assert.match(down.stdout, /nothing was running/);
  await rm(empty, { recursive: true, force: true });
});
