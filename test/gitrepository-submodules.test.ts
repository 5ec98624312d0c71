import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runGit, withCredentials } from "../src/git/exec.ts";
import { clone, commit, push } from "../src/git/repository.ts";
import { pushRepo } from "./helpers/git.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  fetchArtifact,
  readyTrue,
  sourceFixture,
  waitForGitRepository,
} from "./helpers/sources.ts";

test("recurseSubmodules brings a submodule's files into the artifact, which otherwise leaves them out", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-submodules");
  const suffix = randomBytes(3).toString("hex");
  const lib = await pushRepo(env, `lib-${suffix}`, { "lib.yaml": "lib: true\n" });
  const app = await pushRepo(env, `app-${suffix}`, { "app.yaml": "app: true\n" });
  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-submodule-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  await withCredentials({ username: env.gitUsername, password: env.gitPassword }, async (auth) => {
    const dir = path.join(work, "app");
    await clone(app.url, dir, { auth, branch: "main" });
    await runGit(["submodule", "--quiet", "add", "--", lib.url, "vendor/lib"], { cwd: dir, auth });
    await commit(dir, { message: "add lib as a submodule", author: { name: "t", email: "t@example.com" } });
    await push(dir, { refspec: "HEAD:refs/heads/main", auth });
  });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const spec = { url: app.url, interval: "1h", ref: { branch: "main" }, secretRef: { name: "auth" } };
  await applyGitRepository(client, ns, "with", { ...spec, recurseSubmodules: true });
  await applyGitRepository(client, ns, "without", spec);

  const withSubs = await waitForGitRepository(client, ns, "with", readyTrue, "Ready");
  const files = await fetchArtifact(withSubs.status!.artifact!);
  assert.equal(files.get("vendor/lib/lib.yaml"), "lib: true\n");
  assert.equal(files.get("app.yaml"), "app: true\n");
  assert.ok(
    ![...files.keys()].some((f) => f.endsWith(".git") || f.includes(".git/")),
    "no git metadata in the artifact",
  );

  const withoutSubs = await waitForGitRepository(client, ns, "without", readyTrue, "Ready");
  assert.ok(!(await fetchArtifact(withoutSubs.status!.artifact!)).has("vendor/lib/lib.yaml"));
  assert.equal(withSubs.status?.artifact?.revision, withoutSubs.status?.artifact?.revision);
});
