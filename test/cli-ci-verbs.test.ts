import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";

const pipeline = (code: number) => `resources:
  - { name: tick, type: time, source: { interval: 1h } }
jobs:
  - name: hello
    plan:
      - get: tick
      - task: say
        config:
          platform: linux
          image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
          run: { path: sh, args: [-c, "echo hello from ((who)); exit ${code}"] }
`;

/** jobs, resources, resource-versions, pins, version toggles and job pauses on the pipeline `name`. */
async function resourceAndJobVerbs(name: string): Promise<void> {
  const jobs = await sluice("ci -t dev jobs -p", name);
  assert.match(jobs.stdout, /hello +no +failed/, show(jobs));
  assert.match((await sluice("ci -t dev resources -p", name)).stdout, /tick +time/);
  assert.match(
    (await sluice("ci -t dev check-resource -r", `${name}/tick`)).stdout,
    /checked 'tick': succeeded/,
  );
  const versions = JSON.parse(
    (await sluice("ci -t dev resource-versions --json -r", `${name}/tick`)).stdout,
  ) as {
    version: { time: string };
  }[];
  const time = versions[0]!.version.time;
  const fromBad = await sluice("ci -t dev check-resource -r", `${name}/tick`, "--from", "nocolon");
  assert.equal(fromBad.code, 2, show(fromBad));
  assert.match(fromBad.stderr, /--from "nocolon": expected KEY:VALUE/);
  const fromGiven = await sluice("ci -t dev check-resource -r", `${name}/tick`, "--from", `time:${time}`);
  assert.match(fromGiven.stdout, /checked 'tick': succeeded/, show(fromGiven));
  const pinned = await sluice(
    "ci -t dev pin-resource -r",
    `${name}/tick`,
    "-v",
    `time:${time}`,
    "-c",
    "hold",
  );
  assert.equal(pinned.code, 0, show(pinned));
  assert.match((await sluice("ci -t dev resources -p", name)).stdout, /tick +time +yes/);
  assert.match(
    (await sluice("ci -t dev pin-resource -r", `${name}/tick`, "-v", "time:never")).stderr,
    /could not find version/,
  );
  assert.equal((await sluice("ci -t dev unpin-resource -r", `${name}/tick`)).code, 0);
  const disabled = await sluice(
    "ci -t dev disable-resource-version -r",
    `${name}/tick`,
    "-v",
    `time:${time}`,
  );
  assert.equal(disabled.code, 0, show(disabled));
  assert.match((await sluice("ci -t dev resource-versions -r", `${name}/tick`)).stdout, / no\n/);
  assert.equal(
    (await sluice("ci -t dev enable-resource-version -r", `${name}/tick`, "-v", `time:${time}`)).code,
    0,
  );
  assert.equal((await sluice("ci -t dev pause-job -j", `${name}/hello`)).code, 0);
  assert.match((await sluice("ci -t dev jobs -p", name)).stdout, /hello +yes/);
  assert.equal((await sluice("ci -t dev unpause-job -j", `${name}/hello`)).code, 0);
  const background = await sluice("ci -t dev check-resource -a -r", `${name}/tick`);
  assert.equal(background.code, 0, show(background));
  assert.match(background.stdout, /checking 'tick' in the background/);
}

/** set-pipeline --check-creds: refused while a ((var)) is missing from the Secrets, set once it is there. */
async function checkCredentials(client: KubeClient, file: string): Promise<void> {
  const secret = `chk-${randomBytes(3).toString("hex")}`;
  const name = `creds-${randomBytes(3).toString("hex")}`;
  await writeFile(file, pipeline(0).replace("((who))", `((${secret}.password))`));
  const refused = await sluice("ci -t dev set-pipeline --check-creds -n -p", name, "-c", file);
  assert.equal(refused.code, 1, show(refused));
  assert.match(
    refused.stderr,
    new RegExp(`credentials check failed: undefined vars:\\n +\\(\\(${secret}\\.password\\)\\)`),
  );
  assert.match((await sluice("ci -t dev get-pipeline -p", name)).stderr, /not found/, "nothing was set");
  const namespace = "concourse-main";
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { fieldManager: "test" },
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret, namespace },
      stringData: { password: "creds" },
    },
    { fieldManager: "test" },
  );
  const set = await sluice("ci -t dev set-pipeline --check-creds -n -p", name, "-c", file);
  assert.equal(set.code, 0, show(set));
  await client.delete("v1", "Secret", secret, namespace);
}

/** `builds` without -j/-p: every build, newest first, paged with --until-id; a bad --count. */
async function everyBuildListed(): Promise<void> {
  const everyBuild = await sluice("ci -t dev builds -c 2");
  assert.match(
    everyBuild.stdout,
    /^\d+ +\S+\/hello +1\.1 +failed\n\d+ +\S+\/hello +2 +failed\n$/,
    show(everyBuild),
  );
  const second = /^(\d+) .* 2 +failed$/m.exec(everyBuild.stdout)![1]!;
  const older = JSON.parse((await sluice("ci -t dev builds --team --json --until-id", second)).stdout) as {
    name: string;
  }[];
  assert.deepEqual(
    older.map((b) => b.name),
    ["1"],
  );
  const badCount = await sluice("ci -t dev builds -c 0");
  assert.equal(badCount.code, 2, show(badCount));
  assert.match(badCount.stderr, /--count: expected a positive integer, got "0"/);
}

test("fly's verbs against a server: login, set-pipeline with its diff, unpause, trigger-job -w with fly's exit codes, jobs, resources, pins, rerun, builds, watch, destroy", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { url, password } = await startCiServer(t, client, env);
  const home = await ciHome(t);
  const name = `p-${randomBytes(3).toString("hex")}`;
  const file = path.join(home, "pipeline.yml");

  const refused = await sluice("ci -t dev login -c", url, "-u", "admin", "-p", "wrong");
  assert.equal(refused.code, 1, show(refused));
  assert.match(refused.stderr, /invalid username and password/);
  const unknown = await sluice("ci -t dev pipelines");
  assert.equal(unknown.code, 2, show(unknown));
  assert.match(unknown.stderr, /unknown target: dev/);
  const login = await sluice("ci -t dev login -c", url, "-u", "admin", "-p", password);
  assert.equal(login.code, 0, show(login));
  assert.match((await sluice("ci targets")).stdout, new RegExp(`dev +${url.replaceAll(".", "\\.")} +main`));

  await writeFile(file, pipeline(0));
  const created = await sluice("ci -t dev set-pipeline -p", name, "-c", file, "-v", "who=fly", "-n");
  assert.equal(created.code, 0, show(created));
  assert.match(created.stdout, /\+ +- echo hello from fly; exit 0/);
  assert.match(created.stdout, /pipeline created!\n\nthe pipeline is currently paused/);
  const unconfirmed = await sluice("ci -t dev set-pipeline -p", name, "-c", file, "-v", "who=someone-else");
  assert.equal(unconfirmed.code, 2, show(unconfirmed));
  assert.match(unconfirmed.stderr, /pass -n to confirm/);
  assert.match(
    (await sluice("ci -t dev get-pipeline -p", name)).stdout,
    /echo hello from fly/,
    "nothing was set",
  );

  assert.match((await sluice("ci -t dev pipelines")).stdout, new RegExp(`${name} +yes +no`));
  assert.equal((await sluice("ci -t dev unpause-pipeline -p", name)).code, 0);
  const succeeded = await sluice("ci -t dev trigger-job -w -j", `${name}/hello`);
  assert.equal(succeeded.code, 0, show(succeeded));
  assert.match(succeeded.stdout, /started .*#1\n(.*\n)*hello from fly\nsucceeded\n$/);

  await writeFile(file, pipeline(4));
  const dry = await sluice("ci -t dev set-pipeline --dry-run -p", name, "-c", file, "-v", "who=fly");
  assert.match(dry.stdout, /\+.*exit 4\n(.*\n)*dry run: nothing was set/);
  assert.match((await sluice("ci -t dev get-pipeline -p", name)).stdout, /exit 0/, "the dry run set nothing");
  const updated = await sluice("ci -t dev set-pipeline -p", name, "-c", file, "-v", "who=fly", "-n");
  assert.match(updated.stdout, /-.*exit 0\n\+.*exit 4\n(.*\n)*configuration updated/);
  const failed = await sluice("ci -t dev trigger-job -w -j", `${name}/hello`);
  assert.equal(failed.code, 1, show(failed));
  assert.match(failed.stderr, /exit status 4/);

  await resourceAndJobVerbs(name);
  const rerun = await sluice("ci -t dev rerun-build -w -j", `${name}/hello`, "-b", "1");
  assert.equal(rerun.code, 1, "the rerun runs the current config, which exits 4");
  assert.match(rerun.stdout, /started .*#1\.1/);

  const builds = await sluice("ci -t dev builds -j", `${name}/hello`);
  assert.match(builds.stdout, /hello +2 +failed\n.*hello +1 +succeeded/);
  const pipelineBuilds = await sluice("ci -t dev builds -p", name);
  assert.match(
    pipelineBuilds.stdout,
    /hello +1\.1 +failed\n.*hello +2 +failed\n.*hello +1 +succeeded/,
    show(pipelineBuilds),
  );
  await everyBuildListed();
  const paused = await sluice("ci -t dev pause-pipeline -a");
  assert.match(paused.stdout, new RegExp(`paused '${name}'`), show(paused));
  assert.match((await sluice("ci -t dev pipelines")).stdout, new RegExp(`${name} +yes`));
  assert.match((await sluice("ci -t dev unpause-pipeline -a")).stdout, new RegExp(`unpaused '${name}'`));
  assert.equal((await sluice("ci -t dev pause-pipeline")).code, 2, "-p or -a is needed");
  const watched = await sluice("ci -t dev watch -j", `${name}/hello`, "-b", "1");
  assert.equal(watched.code, 0, show(watched));
  assert.match(watched.stdout, /hello from fly\nsucceeded/);
  const stamped = await sluice("ci -t dev watch --timestamps -j", `${name}/hello`, "-b", "1");
  assert.match(stamped.stdout, /^\d\d:\d\d:\d\d {2}hello from fly$/m, show(stamped));

  await checkCredentials(client, path.join(home, "creds.yml"));

  assert.equal((await sluice("ci -t dev destroy-pipeline -n -p", name)).code, 0);
  const gone = await sluice("ci -t dev get-pipeline -p", name);
  assert.equal(gone.code, 1, show(gone));
  assert.match(gone.stderr, /not found/);
});
