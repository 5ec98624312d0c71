import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";
import { statusOf, teamSecret, waitForBuilds } from "./helpers/ci-builds.ts";

const ciFile = `stages: [test, build, release]
unit:
  stage: test
  image: busybox:1.36
  script:
    - echo "token is $GL_PAT on $CI_COMMIT_REF_NAME at $CI_COMMIT_SHORT_SHA"
build-client:
  stage: build
  image: busybox:1.36
  script: [ 'cd "$CI_PROJECT_DIR/app/client/"', 'echo "client $(cat .version)" > client' ]
  artifacts: { paths: [app/client/client] }
  only: { changes: [app/client/.version] }
release-client:
  stage: release
  image: busybox:1.36
  dependencies: [build-client]
  script: [ cat app/client/client ]
  only: { changes: [app/client/.version] }
on-demand:
  image: busybox:1.36
  script: [ 'echo "source is $CI_PIPELINE_SOURCE"' ]
  only: [web]
`;

/** A Secret of the team's namespace holding the project's GL_PAT; resolves with its value. */
async function variablesSecret(client: KubeClient, name: string): Promise<string> {
  const secret = `glpat-${randomBytes(8).toString("hex")}`;
  await teamSecret(client, name, { GL_PAT: secret });
  return secret;
}

/** `set-project` for the dev git server's repository, with its credentials and a variables Secret. */
const setGitlabProject = (name: string, repo: string, env: DevEnv, variablesSecret: string) =>
  sluice(
    "ci -t dev set-project -p",
    name,
    ...["--repo", repo, "--format", "gitlab"],
    ...["--username", env.gitUsername, "--password", env.gitPassword],
    ...["--variables-secret", variablesSecret],
  );

test("a GitLab project runs on each push: a build per job, only: changes against the previous push, masked variables, a broken file reported", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { url, password } = await startCiServer(t, client, env);
  await ciHome(t);
  assert.equal((await sluice("ci -t dev login -c", url, "-u", "admin", "-p", password)).code, 0);
  const name = `proj-${randomBytes(3).toString("hex")}`;
  const { url: repo } = await pushRepo(env, name, {
    ".gitlab-ci.yml": ciFile,
    "app/client/.version": "1.0.0\n",
    "README.md": "hello\n",
  });
  const secret = await variablesSecret(client, `${name}-vars`);
  const refused = await sluice("ci -t dev set-project -p", name, "--repo", repo, "--format", "svn");
  assert.equal(refused.code, 2, show(refused));
  const set = await setGitlabProject(name, repo, env, `${name}-vars`);
  assert.equal(set.code, 0, show(set));
  assert.match(set.stdout, /\.gitlab-ci\.yml runs on each push \(credentials: basic\)/);
  assert.ok(!set.stdout.includes(env.gitPassword));

  const first = await waitForBuilds(name, "the first push's pipeline", 3);
  assert.deepEqual(statusOf(first, "release-client"), ["1:succeeded"], "a new project: every change counts");
  assert.ok(first.every((b) => b.pipeline_name === name));
  const unitLog = await sluice("ci -t dev watch -j", `${name}/unit`, "-b", "1");
  assert.equal(unitLog.code, 0, show(unitLog));
  assert.match(unitLog.stdout, /token is \(\(redacted\)\) on main at [0-9a-f]{8}/);
  assert.ok(!unitLog.stdout.includes(secret));
  const released = await sluice("ci -t dev watch -j", `${name}/release-client`, "-b", "1");
  assert.match(released.stdout, /client 1\.0\.0/, "the artifact came through dependencies");

  const webhook = /push webhook \(POST\) at:\n {2}(\S+)/.exec(set.stdout)?.[1];
  assert.ok(webhook, set.stdout);
  await pushRepo(env, name, { "README.md": "hello again\n" });
  assert.equal((await fetch(webhook, { method: "POST" })).status, 200, "the webhook checks the repository");
  const docs = await waitForBuilds(name, "the docs push's pipeline", 4);
  assert.deepEqual(statusOf(docs, "unit"), ["2:succeeded", "1:succeeded"]);
  assert.equal(statusOf(docs, "build-client").length, 1, "only: changes left build-client out");

  await pushRepo(env, name, { "app/client/.version": "1.0.1\n" });
  assert.equal((await sluice("ci -t dev check-resource -r", `${name}/repo`)).code, 0);
  const bumped = await waitForBuilds(name, "the version push's pipeline", 7);
  assert.deepEqual(statusOf(bumped, "release-client"), ["2:succeeded", "1:succeeded"]);
  const release2 = await sluice("ci -t dev watch -j", `${name}/release-client`, "-b", "2");
  assert.match(release2.stdout, /client 1\.0\.1/);

  const asked = await sluice("ci -t dev trigger-project -p", name);
  assert.equal(asked.code, 0, show(asked));
  const web = await waitForBuilds(name, "the web pipeline", 11);
  assert.deepEqual(statusOf(web, "on-demand"), ["1:succeeded"], "only: [web] runs when asked for");
  assert.deepEqual(statusOf(web, "release-client"), ["3:succeeded", "2:succeeded", "1:succeeded"]);
  const onDemand = await sluice("ci -t dev watch -j", `${name}/on-demand`, "-b", "1");
  assert.match(onDemand.stdout, /source is web/);

  await pushRepo(env, name, { ".gitlab-ci.yml": `${ciFile}broken:\n  script: x\n  needs: [nope]\n` });
  assert.equal((await sluice("ci -t dev check-resource -r", `${name}/repo`)).code, 0);
  const broken = await waitForBuilds(name, "the broken file's report", 12);
  assert.deepEqual(statusOf(broken, "ci-config"), ["1:errored"]);
  const report = await sluice("ci -t dev watch -j", `${name}/ci-config`, "-b", "1");
  assert.match(
    report.stdout + report.stderr,
    /\.gitlab-ci\.yml:\d+: broken\.needs\[0\]: needs an unknown job "nope"/,
  );

  const moved = await setGitlabProject(name, repo, env, "nowhere");
  assert.equal(moved.code, 0, show(moved));
  await pushRepo(env, name, { ".gitlab-ci.yml": ciFile });
  assert.equal((await sluice("ci -t dev check-resource -r", `${name}/repo`)).code, 0);
  const missing = await waitForBuilds(name, "the missing Secret's report", 13);
  assert.deepEqual(statusOf(missing, "ci-config"), ["2:errored", "1:errored"]);
  const why = await sluice("ci -t dev watch -j", `${name}/ci-config`, "-b", "2");
  assert.match(
    why.stdout + why.stderr,
    /the variables Secret nowhere does not exist: looked in Secret concourse-main\/.*nowhere/,
  );
});
