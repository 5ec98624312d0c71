// 100 pipelines watching one git repository: N concurrent checks of the same `git` source through
// one resource instance (as the engine holds it), per interval: the first (cold mirror), one with
// the branch unchanged, one after a push. Counts the git processes spawned (ls-remote, fetch, all)
// through a `git` on PATH that logs its verb, and the time of each round.
// Run: scripts/with-node.sh node bench/ci-git-resource.bench.ts [checks] [dir]
// (dir: a dev environment to reuse or start, default .sluice/bench-ci-git; stopped afterwards
// only when this bench started it)
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gitResource } from "../src/ci/resources/git/resource.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { inheritedEnv, runProcess } from "../src/process/run.ts";

const checks = Number(process.argv[2] ?? 100);
const envDir = process.argv[3] ?? ".sluice/bench-ci-git";
const ttlMs = 1_000;

const work = await mkdtemp(path.join(os.tmpdir(), "bench-ci-git-"));
const log = path.join(work, "git-calls.log");
const realGit = (
  await runProcess("sh", ["-c", "command -v git"], { env: inheritedEnv(), timeoutMs: 10_000 })
).stdout.trim();
await writeFile(
  path.join(work, "git"),
  `#!/bin/sh\nfor a in "$@"; do case "$a" in -*) ;; *) echo "$a" >> '${log}'; break ;; esac; done\nexec '${realGit}' "$@"\n`,
);
await chmod(path.join(work, "git"), 0o755);
process.env["PATH"] = `${work}:${process.env["PATH"] ?? ""}`;

const { env, alreadyRunning } = await devUp({ dir: envDir, nodes: 1 });
try {
  const name = `bench-ci-git-${Date.now()}`;
  const { url } = await pushFiles(env, name, { "README.md": "bench\n" });
  const resource = gitResource({ cacheDir: path.join(work, "mirrors"), refsTtlMs: ttlMs });
  const source = { uri: url, branch: "main", username: env.gitUsername, password: env.gitPassword };

  const round = async (label: string) => {
    await writeFile(log, "");
    const start = performance.now();
    const answers = await Promise.all(
      Array.from({ length: checks }, () => resource.check(source, undefined)),
    );
    const ms = performance.now() - start;
    const verbs = (await readFile(log, "utf8")).split("\n").filter((v) => v !== "");
    const count = (verb: string) => verbs.filter((v) => v === verb).length;
    const heads = new Set(answers.map((a) => a[0]?.["ref"]));
    console.log(
      `${label.padEnd(22)} checks=${checks} ls-remote=${count("ls-remote")} fetch=${count("fetch")} ` +
        `git processes=${verbs.length} time=${ms.toFixed(0)} ms distinct answers=${heads.size}`,
    );
  };

  await round("cold mirror");
  await sleep(ttlMs + 100);
  await round("next interval, same");
  await pushFiles(env, name, { "README.md": "changed\n" });
  await sleep(ttlMs + 100);
  await round("next interval, pushed");
} finally {
  if (!alreadyRunning) await devDown(envDir, { purge: true });
  await rm(work, { recursive: true, force: true });
}
