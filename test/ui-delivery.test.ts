import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { CiClient } from "../src/ci/api/index.ts";
import type { Page } from "playwright-core";
import type { KubeClient } from "../src/kube/client.ts";
import { browserPage, logIn } from "./helpers/browser.ts";
import { repoRoot, testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, serviceAccountToken, testNamespace } from "./helpers/kube.ts";
import { appliedRevision, applyKustomization, waitForKustomization } from "./helpers/kustomizations.ts";
import { startCiServer } from "./helpers/server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  gitRepositoryApi,
  readyFalse,
  readyTrue,
  waitForGitRepository,
  type GitRepositoryObject,
} from "./helpers/sources.ts";

test("the web UI's delivery objects (readiness, revision, conditions, events, suspend, resume, reconcile; admins only), a viewer without buttons, and a ServiceAccount token's login", async (t) => {
  const { client, ns, url, password, sha } = await deliveryObjects(t);
  const page = await browserPage(t, url);
  await page.goto("/login");
  await logIn(page, "admin", password);
  await page.getByLabel("Filter").fill(`${ns}/`);
  const cards = page.locator(".cards").last().locator("li");
  await cards.first().getByText("broken").waitFor();
  assert.match(
    (await cards.first().textContent()) ?? "",
    /no-such-branch/,
    "the failing one first, with its reason",
  );
  await page.getByRole("img", { name: "GitRepository app: succeeded" }).waitFor();
  await page.getByRole("img", { name: "Kustomization apps: succeeded" }).waitFor();
  assert.equal(
    await page.getByText(`main@sha1:${sha}`).count(),
    2,
    "the source's fetched and the Kustomization's applied revision",
  );

  // the home page follows the cluster through the server's watch: no reload, no polling of it
  await client.patch(
    { apiVersion: gitRepositoryApi, kind: "GitRepository", name: "broken", namespace: ns },
    { spec: { suspend: true } },
    { type: "merge" },
  );
  await cards.filter({ hasText: "broken" }).locator(".badge", { hasText: "suspended" }).waitFor();

  await page.getByRole("link", { name: `GitRepository ${ns}/app` }).click();
  await page.waitForURL(new RegExp(`/cd/GitRepository/${ns}/app$`));
  await page.locator("td", { hasText: "Ready" }).first().waitFor();
  assert.match((await page.locator(".facts").textContent()) ?? "", /URL\s*http/, "the source's own fields");
  if (process.env["SLUICE_SCREENSHOTS"])
    await page.screenshot({ path: path.join(repoRoot, "docs/screenshots/delivery.png") });
  await page.getByRole("button", { name: "Suspend" }).click();
  await page.locator(".badge", { hasText: "suspended" }).waitFor();
  const get = () => client.get<GitRepositoryObject>(gitRepositoryApi, "GitRepository", "app", ns);
  assert.equal((await get()).spec["suspend"], true);
  await page.getByRole("button", { name: "Resume" }).click();
  await page.getByRole("button", { name: "Suspend" }).waitFor();
  const resumed = await get();
  assert.equal(resumed.spec["suspend"], false);
  assert.ok(resumed.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"], "resume asks for a reconcile");
  await page.getByRole("button", { name: "Reconcile" }).click();

  await page.goto(`/cd/Kustomization/${ns}/apps`);
  await page.getByRole("heading", { name: "Applied objects" }).waitFor();
  const applied = page.locator(".inventory li li").first();
  await applied.waitFor();
  assert.match((await applied.textContent()) ?? "", /ConfigMap settings\s*v1 · Current/);
  await page.getByRole("img", { name: "ConfigMap settings: Current" }).waitFor();
  assert.match((await page.locator(".facts").textContent()) ?? "", /source\s*GitRepository app/);
  await driftShows(page, client, ns);

  await viewerSeesNoButtons(page, url, password);
  await serviceAccountLogsIn(page, { url, password, ns, client });
});

/** "Compare with the cluster" finds nothing, then the value someone changed behind git's back. */
async function driftShows(page: Page, client: KubeClient, ns: string): Promise<void> {
  await page.getByRole("button", { name: "Compare with the cluster" }).click();
  await page.getByRole("status").getByText("No changes: the cluster matches the build (1 objects)").waitFor();
  await client.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: ns },
    { data: { color: "red" } },
    { type: "merge" },
  );
  await page.getByRole("button", { name: "Compare with the cluster" }).click();
  await page.getByRole("status").getByText("1 of 1 objects would change:").waitFor();
  await page.locator(".changes .diff .del", { hasText: "color: red" }).waitFor();
  await page.locator(".changes .diff .add", { hasText: "color: blue" }).waitFor();
}

/** A ServiceAccount token of a member of main logs in on the login page; a bad token is refused. */
async function serviceAccountLogsIn(
  page: Page,
  server: { url: string; password: string; ns: string; client: KubeClient },
): Promise<void> {
  const { ns, client } = server;
  const token = await serviceAccountToken(client, ns, "ops");
  const admin = await CiClient.login(server.url, "admin", server.password);
  await admin.setTeam("main", [`system:serviceaccount:${ns}:ops`]);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.getByText("Log in with a ServiceAccount token").click();
  await page.getByLabel(/^Token/).fill("not-a-token");
  await page.getByRole("button", { name: "Log in with the token" }).click();
  await page
    .getByRole("alert")
    .getByText(/invalid or expired/)
    .waitFor();
  await page.getByLabel(/^Token/).fill(token);
  await page.getByRole("button", { name: "Log in with the token" }).click();
  await page.waitForURL(/\/$/);
  await page.getByRole("heading", { name: "Delivery" }).waitFor();
}

/** A viewer of team dev (no admin) sees no delivery objects and no buttons, and its writes are refused. */
async function viewerSeesNoButtons(page: Page, url: string, password: string): Promise<void> {
  const viewer = await CiClient.login(url, "viewer", password).catch((e: Error) => e);
  assert.ok(viewer instanceof Error, "a user of no team cannot log in");
  const admin = await CiClient.login(url, "admin", password);
  await admin.setTeam("dev", ["local:admin"], ["local:viewer"]);
  await admin.setConfig("dev", "app", "jobs:\n  - { name: unit, plan: [] }\n", 0);
  const viewerToken = (await CiClient.login(url, "viewer", password)).token!;
  const refused = await fetch(`${url}/api/v1/cd/objects`, {
    headers: { Authorization: `Bearer ${viewerToken}` },
  });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /only admins/);
  for (const path of [
    "trace/builds/1",
    "trace/workloads/Deployment/default/web",
    "cd/objects/Kustomization/default/x/revisions",
  ]) {
    const traced = await fetch(`${url}/api/v1/${path}`, {
      headers: { Authorization: `Bearer ${viewerToken}` },
    });
    assert.equal(traced.status, 403, `${path}: a trace and a history read the whole cluster`);
  }

  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, "viewer", password);
  await page.getByRole("link", { name: "dev / app" }).waitFor();
  assert.equal(
    await page.getByRole("heading", { name: "Delivery" }).count(),
    0,
    "a viewer sees no delivery objects",
  );
  await page.getByRole("link", { name: "dev / app" }).click();
  await page.getByRole("link", { name: "unit" }).first().waitFor();
  await page.getByText("Resources").waitFor();
  assert.equal(
    await page
      .getByRole("button")
      .filter({ hasText: /Pause|Trigger|Check/ })
      .count(),
    0,
    "a viewer has no buttons",
  );
  const trigger = await fetch(`${url}/api/v1/teams/dev/pipelines/app/jobs/unit/builds`, {
    method: "POST",
    headers: { Authorization: `Bearer ${viewerToken}` },
  });
  assert.equal(trigger.status, 403, "nor may it press them through the API");
}

/**
 * A server with the source and Kustomization controllers on a namespace holding a ready
 * GitRepository `app`, a failing one `broken` and a Kustomization `apps` that applied `app`.
 */
async function deliveryObjects(t: TestContext) {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ui");
  const { url, password } = await startCiServer(
    t,
    client,
    {},
    {
      users: ["admin", "viewer"],
      ci: { mainTeamLocalUsers: ["admin"] },
      server: { namespace: ns, controllers: ["gitrepository", "kustomization"] },
    },
  );
  const repo = `ui-${randomBytes(3).toString("hex")}`;
  const { sha } = await pushRepo(env, repo, {
    "app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { color: blue }\n",
  });
  await createGitAuthSecret(client, ns, "git", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "app", {
    url: `${env.gitUrl}/${repo}.git`,
    ref: { branch: "main" },
    interval: "1h",
    secretRef: { name: "git" },
  });
  await applyGitRepository(client, ns, "broken", {
    url: `${env.gitUrl}/${repo}.git`,
    ref: { branch: "no-such-branch" },
    interval: "1h",
    secretRef: { name: "git" },
  });
  await waitForGitRepository(client, ns, "app", readyTrue, "ready");
  await waitForGitRepository(client, ns, "broken", readyFalse("GitOperationFailed"), "failing");
  await applyKustomization(client, ns, "apps", {
    path: "./",
    prune: true,
    targetNamespace: ns,
    sourceRef: { kind: "GitRepository", name: "app" },
  });
  await waitForKustomization(client, ns, "apps", appliedRevision(`main@sha1:${sha}`), "applied");
  return { client, ns, url, password, sha };
}
