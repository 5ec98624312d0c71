import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { CiClient } from "../src/ci/api/index.ts";
import type { DeliveryTrace } from "../src/trace/index.ts";
import type { KustomizationRevisions } from "../src/trace/revisions.ts";
import { browserPage, logIn } from "./helpers/browser.ts";
import { repoRoot } from "./helpers/env.ts";
import { codePushRound, startWholeLoop } from "../src/dev/whole-loop.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { adminClient } from "./helpers/kube.ts";
import { startTestServer } from "./helpers/server.ts";

test("the whole loop, as `make demo` runs it: a code push reaches the cluster through the pipeline, the registry and the automation, carried by webhooks alone", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const namespace = `loop-${randomBytes(4).toString("hex")}`;
  t.after(() => client.delete("v1", "Namespace", namespace).catch(() => {}));
  const password = randomBytes(9).toString("hex");
  const server = await startTestServer(t, client, {
    namespace,
    controllers: [
      "gitrepository",
      "kustomization",
      "imagerepository",
      "imagepolicy",
      "imageupdateautomation",
      "receiver",
    ],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
    ci: {
      tick: 200,
      listen: { host: "127.0.0.1", port: 0 },
      localUsers: [{ name: "admin", password }],
      registryMirrors: [`docker.io=${env.imageMirror}/docker.io`],
    },
  });
  const loopEnv = {
    ...env,
    sluiceUrl: server.ciUrl,
    sluiceUsername: "admin",
    sluicePassword: password,
    receiverUrl: server.receiverUrl,
  };
  const { loop, firstBuild } = await startWholeLoop(loopEnv, client, { namespace, run: namespace });
  assert.deepEqual(
    firstBuild.map((timing) => timing.step),
    [
      "pipeline started build #1",
      "build pushed the image",
      `deployment ${namespace}/web 3/3 available with 1.0.0 on kwok nodes`,
    ],
  );

  const round = await codePushRound(loop, "web 1.1.0", "1.1.0");
  assert.deepEqual(
    round.map((timing) => timing.step),
    [
      "pipeline started build #2",
      "build pushed the image",
      "registry scanned",
      "policy selected 1.1.0",
      "automation pushed a commit",
      "source fetched the commit",
      "kustomization applied it",
      "deployment rolled out",
    ],
  );
  // the app is a trigger input checked every minute: a build this soon was started by the git
  // server's push event, and the scan by the registry's notification (the image repository's
  // interval is a minute too)
  const [started, , scanned] = round;
  assert.ok(started!.ms < 30_000 && scanned!.ms < 45_000, JSON.stringify(round));

  const ui = { url: server.ciUrl!, password, namespace };
  await traceOfTheLoop(t, { ...ui, buildId: (await loop.ci.lastBuildId())! });
  await rollBack(t, ui, () => loop.cd.rolledOut("1.0.0"));
});

/** "Revert" on the Kustomization's page: a revert commit in git takes the cluster back to 1.0.0. */
async function rollBack(
  t: TestContext,
  ui: { url: string; password: string; namespace: string },
  rolledBack: () => Promise<boolean>,
): Promise<void> {
  const { token } = await CiClient.login(ui.url, "admin", ui.password);
  const kustomization = `${ui.url}/api/v1/cd/objects/Kustomization/${ui.namespace}/web`;
  const refused = await fetch(`${kustomization}/revisions/${"0".repeat(40)}/revert`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(refused.status, 409);
  assert.match(await refused.text(), /is not on branch main/);

  const page = await browserPage(t, ui.url);
  await page.goto("/login");
  await logIn(page, "admin", ui.password);
  await page.goto(`/cd/Kustomization/${ui.namespace}/web`);
  const current = page.locator("table.revisions tr.current");
  await current.waitFor();
  assert.match((await current.textContent()) ?? "", /Update from image update automation.*applied now/);
  page.once("dialog", (dialog) => void dialog.accept());
  await current.getByRole("button", { name: /^Revert / }).click();
  await page.getByRole("status").filter({ hasText: "Reverted as" }).waitFor();
  const deadline = Date.now() + 60_000;
  while (!(await rolledBack().catch(() => false))) {
    assert.ok(Date.now() < deadline, "the Deployment went back to 1.0.0 within a minute");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // the Kustomization records the revision once its health checks pass, just after the rollout
  let newest: KustomizationRevisions["revisions"][number] | undefined;
  do {
    assert.ok(Date.now() < deadline, `the Kustomization applied the revert: ${JSON.stringify(newest)}`);
    const res = await fetch(`${kustomization}/revisions`, { headers: { Authorization: `Bearer ${token}` } });
    [newest] = ((await res.json()) as KustomizationRevisions).revisions;
  } while (newest?.state !== "applied");
  assert.match(newest.subject, /^Revert "Update from image update automation"/);
  assert.equal(newest.author, "Sluice web UI");
}

const stages = ["commit", "build", "image", "policy", "automation", "source", "kustomization", "rollout"];

/** The delivery trace of the second round: forwards from its build, backwards from the Deployment, and in the web UI. */
async function traceOfTheLoop(
  t: TestContext,
  loop: { url: string; password: string; namespace: string; buildId: number },
): Promise<void> {
  const { token } = await CiClient.login(loop.url, "admin", loop.password);
  const trace = async (path: string) => {
    const res = await fetch(`${loop.url}/api/v1/trace/${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as DeliveryTrace;
  };
  const forwards = await trace(`builds/${loop.buildId}`);
  assert.equal(forwards.paths.length, 1, JSON.stringify(forwards, null, 1));
  const [route] = forwards.paths;
  assert.deepEqual(
    route!.map((s) => s.stage),
    stages,
    JSON.stringify(route, null, 1),
  );
  assert.deepEqual(
    route!.map((s) => s.state),
    stages.map(() => "done"),
    JSON.stringify(route, null, 1),
  );
  assert.deepEqual(
    route!.filter((s) => !s.at).map((s) => s.stage),
    [],
    `every step has its time: ${JSON.stringify(route![0])}`,
  );
  const byStage = Object.fromEntries(route!.map((s) => [s.stage, s]));
  assert.match(byStage["commit"]!.detail!, /app: web 1\.1\.0/);
  assert.equal(byStage["build"]!.link, `/builds/${loop.buildId}`);
  assert.match(byStage["image"]!.title, /\/web:.*1\.1\.0/);
  assert.match(byStage["policy"]!.title, /selected 1\.1\.0/);
  assert.match(byStage["automation"]!.diff!, /^\+.*web:1\.1\.0/m, "the automation's change");
  assert.match(byStage["kustomization"]!.items!.join("\n"), /Deployment\/.*\/web configured/);
  assert.equal(byStage["rollout"]!.title, `Deployment ${loop.namespace}/web`);
  assert.equal(byStage["rollout"]!.items!.filter((p) => p.startsWith("Pod ")).length >= 3, true);

  const backwards = await trace(`workloads/Deployment/${loop.namespace}/web`);
  assert.deepEqual(backwards.paths, forwards.paths, "the Deployment leads back to the same build and commit");
  const missing = await fetch(`${loop.url}/api/v1/trace/workloads/Deployment/${loop.namespace}/nope`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(missing.status, 404);

  const page = await browserPage(t, loop.url);
  await page.goto("/login");
  await logIn(page, "admin", loop.password);
  await page.goto(`/builds/${loop.buildId}`);
  await page.getByRole("link", { name: "Trace delivery" }).click();
  const rows = page.locator(".trace-step");
  await rows.nth(stages.length - 1).waitFor();
  assert.equal(await rows.count(), stages.length);
  assert.equal(await page.locator(".trace-step.slowest").count(), 1, "the slowest hop is marked");
  await page.getByRole("button", { name: "Show the change" }).click();
  await page.locator(".diff .add", { hasText: "web:1.1.0" }).first().waitFor();
  if (process.env["SLUICE_SCREENSHOTS"])
    await page.screenshot({ path: path.join(repoRoot, "docs/screenshots/trace.png"), fullPage: true });
}
