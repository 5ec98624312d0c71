/** `sluice logs`: the server's own JSON lines filtered and printed as flux logs does, from a file, stdin or the cluster. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { createLogger, loggerFor } from "../src/runtime/logger.ts";
import { cliCluster, expectExit, run, sluiceBin } from "./helpers/cli.ts";
import { waitFor } from "./helpers/wait.ts";

async function logFile(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-logs-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, "server.log");
}

/** Writes lines as the server does: its own logger, object fields from loggerFor. */
function serverLogger(file: string) {
  const destination = pino.destination({ dest: file, sync: true, mkdir: true });
  const logger = createLogger({ level: "debug", destination });
  return {
    object: (kind: string, namespace: string, name: string) =>
      loggerFor(logger, { controller: kind.toLowerCase(), kind, namespace, name }),
    part: (component: string) => logger.child({ component }),
  };
}

test("logs --file filters the server's lines by kind, name, namespace and level", async (t) => {
  const file = await logFile(t);
  const log = serverLogger(file);
  log.object("GitRepository", "flux-system", "app").info("stored artifact for revision main@sha1:1234");
  log
    .object("Kustomization", "apps", "web")
    .error({ err: new Error("dry-run failed") }, "reconciliation failed");
  log.object("Kustomization", "apps", "api").debug("nothing to prune");
  log.part("ci-engine").warn("check of resource repo failed");
  await appendFile(file, "a line that is not JSON\n");

  const all = await run(["logs", "--file", file]);
  expectExit(all, 0);
  assert.deepEqual(
    all.stdout
      .trim()
      .split("\n")
      .map((line) => line.replace(/^\S+ /, "")),
    [
      "info GitRepository/app.flux-system - stored artifact for revision main@sha1:1234",
      "error Kustomization/web.apps - reconciliation failed: dry-run failed",
      "debug Kustomization/api.apps - nothing to prune",
      "warn ci-engine - check of resource repo failed",
    ],
  );
  const kustomizations = await run(["logs", "--file", file, "--kind", "kustomization", "--level", "info"]);
  assert.match(
    kustomizations.stdout,
    /^\S+ error Kustomization\/web\.apps - reconciliation failed: dry-run failed\n$/,
  );
  const byNamespace = await run(["logs", "--file", file, "-n", "flux-system"]);
  assert.match(byNamespace.stdout, /^\S+ info GitRepository\/app\.flux-system - stored artifact/);
  assert.equal(byNamespace.stdout.trim().split("\n").length, 1);
  const fromStdin = await run(["logs", "--file", "-", "--name", "api"], {
    input: JSON.stringify({ time: "t", level: "info", msg: "m", kind: "Kustomization", name: "api" }) + "\n",
  });
  assert.equal(fromStdin.stdout, "t info Kustomization/api - m\n");
});

test("logs --file --follow prints lines appended after it started, until interrupted", async (t) => {
  const file = await logFile(t);
  const log = serverLogger(file);
  log.part("http").info("listening");
  const child = spawn(sluiceBin, ["logs", "--file", file, "--follow"], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const printed = (text: string) => () => Promise.resolve(stdout.includes(text) ? true : undefined);
  await waitFor("the first line", printed("http - listening"), { timeoutMs: 20_000 });
  log.object("Kustomization", "apps", "web").info("applied revision main@sha1:abcd");
  await waitFor("the appended line", printed("Kustomization/web.apps - applied revision"), {
    timeoutMs: 20_000,
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  assert.equal(await exited, 0);
});

test("logs reports a missing log file and a namespace without Sluice server Pods", async (t) => {
  expectExit(
    await run(["logs", "--file", "/nonexistent/server.log"]),
    1,
    /cannot read the log file .*ENOENT/,
  );
  expectExit(await run(["logs", "--level", "loud"]), 2, /invalid --level "loud"/);
  const { ns, kube } = await cliCluster(t, "logs");
  const noPods = await run(["logs", ...kube, "--flux-namespace", ns]);
  expectExit(
    noPods,
    1,
    new RegExp(`no Sluice server Pods in namespace "${ns}"[\\s\\S]*hint: pass --flux-namespace`),
  );
});
