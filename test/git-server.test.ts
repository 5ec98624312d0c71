import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { GitError } from "../src/git/exec.ts";
import { clone } from "../src/git/repository.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";

test("the environment's git server accepts a push and a clone with the password and refuses a wrong one", async (t) => {
  const env = await testEnv();
  const name = `team/app-${randomBytes(3).toString("hex")}`;
  const { url, sha } = await pushRepo(env, name, { "deploy/app.yaml": "kind: ConfigMap\n" });
  assert.match(sha, /^[0-9a-f]{40}$/);
  assert.equal(url, `${env.gitUrl}/${name}.git`);

  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-clone-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await clone(url, path.join(dir, "ok"), {
    credentials: { username: env.gitUsername, password: env.gitPassword },
  });
  assert.equal(await readFile(path.join(dir, "ok/deploy/app.yaml"), "utf8"), "kind: ConfigMap\n");

  await assert.rejects(
    clone(url, path.join(dir, "bad"), {
      credentials: { username: env.gitUsername, password: "wrong-password" },
    }),
    (err: unknown) =>
      err instanceof GitError &&
      /Authentication failed/.test(err.message) &&
      !err.message.includes("wrong-password"),
  );
});
