import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { CiClient } from "../src/ci/api/index.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { RunningServer } from "../src/server/server.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { freshDatabase } from "./helpers/postgres.ts";
import { startCiServer } from "./helpers/server.ts";
import { busyboxJob, tickResources } from "./helpers/pipelines.ts";
import { waitFor } from "./helpers/wait.ts";

const pipeline = `${tickResources}jobs:
${busyboxJob("slow", "echo started on the leader; sleep 120", { task: "wait" })}${busyboxJob("quick", "echo hello from whoever leads", { task: "say" })}`;

/** Two `sluice server` replicas on one PostgreSQL database and one Lease; `a` starts first and leads. */
async function replicas(t: TestContext, client: KubeClient, imageMirror: string) {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const password = randomBytes(9).toString("hex");
  const lease = { namespace: await testNamespace(t, client), name: "sluice-server" };
  const start = async () =>
    (
      await startCiServer(
        t,
        client,
        { imageMirror },
        {
          password,
          ci: { postgresUrl: database.url },
          server: { leaderElection: lease },
        },
      )
    ).server;
  const a = await start();
  await waitFor("replica a leads", () => leading(a), { timeoutMs: 30_000 });
  const b = await start();
  return { a, b, password };
}

test("replicas sharing PostgreSQL: a follower's set, trigger, watch and abort reach the leader's builds; the follower takes over when the leader stops", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { a, b, password } = await replicas(t, client, env.imageMirror);
  assert.equal(b.manager.elector?.isLeader(), false);
  const home = await ciHome(t);
  const file = path.join(home, "pipeline.yml");
  await writeFile(file, pipeline);
  const login = await sluice("ci -t follower login -c", b.ciUrl!, "-u", "admin", "-p", password);
  assert.equal(login.code, 0, show(login));
  const token = (await CiClient.login(b.ciUrl!, "admin", password)).token;
  const onLeader = await new CiClient({ url: a.ciUrl!, token }).user();
  assert.equal(onLeader["user_name"], "admin", "a token one replica gave is good on the other");
  assert.equal((await sluice("ci -t follower set-pipeline -n -p app -c", file)).code, 0);
  assert.equal((await sluice("ci -t follower unpause-pipeline -p app")).code, 0);

  const triggered = await sluice("ci -t follower trigger-job -j app/slow");
  assert.match(triggered.stdout, /started app\/slow #1/, show(triggered));
  const watching = sluice("ci -t follower watch -j app/slow");
  const build = await waitFor(
    "the leader runs app/slow #1 and writes its first line",
    async () => {
      const [found] = await a.ci!.store.listJobBuilds((await leaderJob(a, "slow")).id, { limit: 1 });
      const events = found ? await a.ci!.store.readBuildEvents(found.id) : [];
      return events.some((e) => JSON.stringify(e.data).includes("started on the leader")) ? found : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const aborted = await sluice("ci -t follower abort-build -j app/slow -b 1");
  assert.equal(aborted.code, 0, show(aborted));
  const watched = await watching;
  assert.match(watched.stdout, /started on the leader\n(.*\n)*aborted\n$/, show(watched));
  assert.equal((await a.ci!.store.getBuild(build.id))?.status, "aborted");

  await a.stop();
  await waitFor("replica b leads", () => leading(b), { timeoutMs: 30_000 });
  const quick = await sluice("ci -t follower trigger-job -w -j app/quick");
  assert.equal(quick.code, 0, show(quick));
  assert.match(quick.stdout, /hello from whoever leads\nsucceeded\n$/);
  const builds = JSON.parse((await sluice("ci -t follower builds --json -p app")).stdout) as {
    status: string;
  }[];
  assert.deepEqual(builds.map((x) => x.status).sort(), ["aborted", "succeeded"]);
});

const leading = (server: RunningServer) => Promise.resolve(server.manager.elector?.isLeader() || undefined);

async function leaderJob(server: RunningServer, name: string) {
  const { store } = server.ci!;
  const pipeline = (await store.getPipeline({ team: "main", name: "app" }))!;
  return (await store.getJob(pipeline.id, name))!;
}
