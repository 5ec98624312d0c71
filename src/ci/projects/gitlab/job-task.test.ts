import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { imageSource } from "../image-reference.ts";
import { jobShellScript, jobTaskConfig } from "./job-task.ts";
import type { JobScript } from "./job-task.ts";

/** Runs the job's script as its task would (argv of jobTaskConfig), with a real shell, in a temp dir. */
async function runScript(job: JobScript, env: Record<string, string> = {}) {
  const cwd = await mkdtemp(path.join(os.tmpdir(), "gitlab-script-"));
  const config = jobTaskConfig({
    image: { name: "x" },
    imageVariables: {},
    env,
    script: jobShellScript(job),
  });
  try {
    const result = await promisify(execFile)(config.run!.path!, config.run!.args, {
      cwd,
      env: { ...env, PATH: process.env["PATH"] },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    const marker = await readFile(path.join(cwd, "after"), "utf8").catch(() => undefined);
    return { ...result, cwd, marker };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

const job = (over: Partial<JobScript>): JobScript => ({
  variables: {},
  beforeScript: [],
  script: [],
  afterScript: [],
  ...over,
});

describe("GitLab job scripts", () => {
  it("echoes each command, keeps the shell state between before_script and script, stops at the first failure", async () => {
    const run = await runScript(
      job({
        beforeScript: ["mkdir -p sub", "cd sub"],
        script: ['echo "in $(basename "$PWD")"', "false", "echo never"],
      }),
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\$ mkdir -p sub/);
    assert.match(run.stdout, /in sub\n/);
    assert.doesNotMatch(run.stdout, /never\n/);
  });

  it("exports the file's variables in order, expanding $VAR only (no command substitution)", async () => {
    const run = await runScript(
      job({
        variables: {
          BASE: { value: "registry/$CI_PROJECT_NAME", expand: true },
          IMAGE: { value: "${BASE}/client:$TAG", expand: true },
          RAW: { value: "$BASE", expand: false },
          SAFE: { value: "$(touch pwned) `id` 'quoted' $$", expand: true },
        },
        script: ['echo "$IMAGE|$RAW|$SAFE|$CI_PROJECT_DIR"', "test ! -e pwned"],
      }),
      { CI_PROJECT_NAME: "demo", TAG: "1.0.1" },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /registry\/demo\/client:1\.0\.1\|\$BASE\|\$\(touch pwned\) `id` 'quoted' \$\|\/.*gitlab-script-/,
    );
  });

  it("runs after_script in a new shell at the project dir with CI_JOB_STATUS, keeping the job's status", async () => {
    const failed = await runScript(
      job({ script: ["mkdir d", "cd d", "exit 3"], afterScript: ['echo "$CI_JOB_STATUS" > after', "false"] }),
    );
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /after_script failed/);
    assert.equal(failed.marker, "failed\n", "after_script ran at the project dir, not in d/");
    const ok = await runScript(job({ script: ["true"], afterScript: ['echo "$CI_JOB_STATUS" > after'] }));
    assert.equal(ok.code, 0);
    assert.equal(ok.marker, "success\n");
  });

  it("reads image references with registries, ports and digests", () => {
    assert.deepEqual(imageSource("golang:1.22.4-alpine3.20"), {
      source: { repository: "golang", tag: "1.22.4-alpine3.20" },
    });
    assert.deepEqual(imageSource("localhost:5000/team/app"), {
      source: { repository: "localhost:5000/team/app", tag: "latest" },
    });
    assert.deepEqual(imageSource("app@sha256:abc"), {
      source: { repository: "app", tag: "latest" },
      version: { digest: "sha256:abc" },
    });
  });

  it("puts a job's entrypoint before the shell and drops an empty one", () => {
    const run = (entrypoint?: string[]) =>
      jobTaskConfig({
        image: { name: "x", ...(entrypoint && { entrypoint }) },
        imageVariables: {},
        env: {},
        script: "true",
      }).run!;
    assert.equal(run([""]).path, "/bin/sh");
    assert.equal(run().path, "/bin/sh");
    assert.deepEqual([run(["/entry", "-x"]).path, run(["/entry", "-x"]).args![0]], ["/entry", "-x"]);
  });
});
