// A GitLab project on `sluice server`, push after push, carried by its webhook: how long from the
// push to the first job's build starting, and to the whole pipeline (two stages, three busybox
// jobs, an artifact handed on) ending. Then the same file run here with `sluice ci run-gitlab`.
// Run: scripts/with-node.sh node bench/ci-projects.bench.ts [rounds]
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CiClient, type ApiBuild } from "../src/ci/api/client.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { pushFiles } from "../src/dev/push-files.ts";

const rounds = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-projects-"));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (label: string, xs: number[]) =>
  console.log(
    `  ${label.padEnd(44)} ${(pct(xs, 50) / 1000).toFixed(2)} s   ${(pct(xs, 90) / 1000).toFixed(2)} s`,
  );

const ciFile = `stages: [build, test]
build:
  stage: build
  image: busybox:1.36
  script: [ 'mkdir -p out && cat version > out/version' ]
  artifacts: { paths: [out/] }
unit:
  stage: test
  image: busybox:1.36
  script: [ 'test -s out/version' ]
lint:
  stage: test
  image: busybox:1.36
  needs: []
  script: [ 'true' ]
`;

const { env } = await devUp({ dir, nodes: 3, server: true, images: true });
try {
  const client = await CiClient.login(env.sluiceUrl!, env.sluiceUsername!, env.sluicePassword!);
  const { url } = await pushFiles(env, "bench/project", { ".gitlab-ci.yml": ciFile, version: "0\n" });
  const answer = await client.setProject("main", "bench", {
    format: "gitlab",
    repo: url,
    username: env.gitUsername,
    password: env.gitPassword,
  });
  const webhook = `${client.url}${answer.webhook_path}`;
  const allBuilds = async (): Promise<ApiBuild[]> => {
    const jobs = await client.listJobs("main", "bench").catch(() => []);
    const pages = await Promise.all(jobs.map((job) => client.listJobBuilds("main", "bench", job.name)));
    return pages.flatMap((page) => page.builds);
  };
  const until = async (check: (builds: ApiBuild[]) => boolean): Promise<void> => {
    for (let i = 0; i < 6000; i++) {
      if (check(await allBuilds())) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("timed out");
  };
  const finished = (b: ApiBuild) => !["pending", "started"].includes(b.status);
  await until((builds) => builds.length >= 3 && builds.every(finished));
  const started: number[] = [];
  const ended: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const before = (await allBuilds()).length;
    const t0 = Date.now();
    await pushFiles(env, "bench/project", { version: `${round}\n` });
    await fetch(webhook, { method: "POST" });
    await until((builds) => builds.length > before);
    started.push(Date.now() - t0);
    await until((builds) => builds.length >= before + 3 && builds.every(finished));
    ended.push(Date.now() - t0);
    const failed = (await allBuilds()).filter((b) => b.status !== "succeeded");
    if (failed.length > 0) throw new Error(`builds failed: ${JSON.stringify(failed)}`);
  }
  console.log(`GitLab project on sluice server, ${rounds} pushes, webhook (2 cores):`);
  console.log("  from the push                                  p50      p90");
  row("first job's build started", started);
  row("pipeline (3 jobs, 2 stages, artifacts) ended", ended);

  const local = await mkdtemp(path.join(dir, "local-"));
  await writeFile(path.join(local, ".gitlab-ci.yml"), ciFile);
  await writeFile(path.join(local, "version"), "1\n");
  const git = (...args: string[]) => promisify(execFile)("git", args, { cwd: local });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("-c", "user.name=b", "-c", "user.email=b@e", "commit", "-qm", "bench");
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = Date.now();
    await promisify(execFile)("bin/sluice", [
      "ci",
      "run-gitlab",
      local,
      "--registry-mirror",
      `docker.io=${env.imageMirror}/docker.io`,
    ]);
    times.push(Date.now() - t0);
  }
  console.log("sluice ci run-gitlab, the same file, here:           p50      p90");
  row("whole run (CLI start to exit)", times);
} finally {
  await devDown(dir);
  await rm(dir, { recursive: true, force: true });
}
