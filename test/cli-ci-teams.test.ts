import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";

const pipeline = `resources:
  - { name: tick, type: time, source: { interval: 1h } }
jobs:
  - { name: hello, plan: [{ get: tick }] }
`;

test("teams: an admin sets, renames and destroys a team; a local user outside main logs in to the teams set-team gives them only", async (t) => {
  const client = await adminClient(t);
  const { server, url, password } = await startCiServer(
    t,
    client,
    {},
    {
      users: ["admin", "alice", "bob"],
      ci: { mainTeamLocalUsers: ["admin"] },
    },
  );
  const home = await ciHome(t);
  const file = path.join(home, "pipeline.yml");
  await writeFile(file, pipeline);

  const noTeam = await sluice("ci -t alice login -u alice -c", url, "-p", password);
  assert.equal(noTeam.code, 1, show(noTeam));
  assert.match(noTeam.stderr, /alice is a member of no team: ask an admin to set-team/);

  assert.equal((await sluice("ci -t admin login -u admin -c", url, "-p", password)).code, 0);
  const empty = await sluice("ci -t admin set-team -n dev --non-interactive");
  assert.equal(empty.code, 2, show(empty));
  assert.match(empty.stderr, /set-team needs an owner/);
  const set = await sluice(
    "ci -t admin set-team -n dev --local-user alice --service-account ci:bot --viewer-local-user bob --non-interactive",
  );
  assert.equal(set.code, 0, show(set));
  assert.match(
    set.stdout,
    /users:\n- local:alice\n- system:serviceaccount:ci:bot\n\nviewers:\n- local:bob\n\nteam created\n$/,
  );
  const teams = await sluice("ci -t admin teams -d");
  assert.match(
    teams.stdout,
    /^name +users +viewers\ndev +local:alice,system:serviceaccount:ci:bot +local:bob\nmain +none +none\n$/,
    show(teams),
  );
  const badName = await sluice("ci -t admin set-team -n Dev_Team --local-user alice --non-interactive");
  assert.equal(badName.code, 1, show(badName));
  assert.match(badName.stderr, /team name "Dev_Team": lowercase letters, digits and '-'/);

  const wrongTeam = await sluice("ci -t alice login -n main -u alice -c", url, "-p", password);
  assert.equal(wrongTeam.code, 1, show(wrongTeam));
  assert.match(wrongTeam.stderr, /user \[alice\] is not in team \[main\]/);
  assert.equal((await sluice("ci -t alice login -n dev -u alice -c", url, "-p", password)).code, 0);
  assert.equal((await sluice("ci -t alice teams")).stdout, "name\ndev\n");
  assert.equal((await sluice("ci -t alice set-pipeline -n -p app -c", file)).code, 0);
  assert.equal((await sluice("ci -t bob login -n dev -u bob -c", url, "-p", password)).code, 0);
  assert.match((await sluice("ci -t bob pipelines")).stdout, /app +yes +no/, "a viewer looks");
  const viewerChange = await sluice("ci -t bob unpause-pipeline -p app");
  assert.equal(viewerChange.code, 1, show(viewerChange));
  assert.match(viewerChange.stderr, /local:bob is a viewer of team dev: it may look, not change/);
  const notAdmin = await sluice("ci -t alice set-team -n other --local-user alice --non-interactive");
  assert.equal(notAdmin.code, 1, show(notAdmin));
  assert.match(notAdmin.stderr, /only admins \(members of main\) can set a team/);

  const renamed = await sluice("ci -t admin rename-team -o dev -n developers");
  assert.equal(renamed.code, 0, show(renamed));
  const taken = await sluice("ci -t admin rename-team -o developers -n main");
  assert.match(taken.stderr, /team main cannot be renamed/);
  assert.equal((await sluice("ci -t admin login -n developers -u admin -c", url, "-p", password)).code, 0);
  assert.match((await sluice("ci -t admin pipelines")).stdout, /app +yes +no/);

  const main = await sluice("ci -t admin destroy-team -n main --non-interactive");
  assert.match(main.stderr, /team main cannot be destroyed/);
  const destroyed = await sluice("ci -t admin destroy-team -n developers --non-interactive");
  assert.equal(destroyed.code, 0, show(destroyed));
  assert.equal((await sluice("ci -t admin teams")).stdout, "name\nmain\n");
  assert.equal(await server.ci!.store.getPipeline({ team: "developers", name: "app" }), undefined);
});
