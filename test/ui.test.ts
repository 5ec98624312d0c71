import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { CiClient } from "../src/ci/api/index.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { browserPage } from "./helpers/browser.ts";
import { repoRoot } from "./helpers/env.ts";
import { adminClient } from "./helpers/kube.ts";
import { busyboxJob, tickResources } from "./helpers/pipelines.ts";
import { startCiServer } from "./helpers/server.ts";
import { tempDir } from "./helpers/cli.ts";

const pipeline = `${tickResources}jobs:
${busyboxJob("unit", 'printf "\\033[32mall green\\033[0m\\n"; sleep 2; echo "oops" >&2; echo done', { task: "test" })}${busyboxJob("noisy", "seq 1 100000; echo boom >&2; exit 1", { get: false, task: "count" })}${busyboxJob("deploy", "echo deploying; sleep 120", { passed: ["unit"], task: "wait" })}`;

test("the web UI: login, pipelines, a pipeline's jobs, a build's log streaming, trigger, abort, pause, pin", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { url, password } = await startCiServer(t, client, env);
  const api = await CiClient.login(url, "admin", password);
  await api.setConfig("main", "app", pipeline, 0);
  await api.unpausePipeline("main", "app");
  const shots = process.env["SLUICE_SCREENSHOTS"]
    ? path.join(repoRoot, "docs/screenshots")
    : await tempDir(t, "ui-shots-");
  await mkdir(shots, { recursive: true });
  const page = await browserPage(t, url);

  await page.goto("/");
  await page.waitForURL(/\/login\?next=%2F$/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").getByText("invalid username or password").waitFor();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/$/);
  await page.getByText(/· 1 pipelines ·/).waitFor();
  await page.getByRole("img", { name: "unit: no builds" }).waitFor();

  await page.getByRole("link", { name: "main / app" }).click();
  await page.waitForURL(/\/teams\/main\/pipelines\/app$/);
  await page.getByText("after unit").waitFor();
  await page.locator(".graph .edges path").first().waitFor();
  assert.equal(await page.locator(".graph .edges path").count(), 1, "one passed edge drawn: unit → deploy");
  // a build started behind the page's back shows up through the server's change stream (the page
  // otherwise fetches only every 30 s)
  const behind = await api.triggerJob("main", "app", "deploy");
  await page.locator(".job", { hasText: "deploy" }).getByText(`#${behind.name}`).waitFor({ timeout: 10_000 });
  await api.abortBuild(behind.id);
  await page.screenshot({ path: path.join(shots, "pipeline.png") });
  await page.getByRole("button", { name: "trigger unit" }).click();
  await page.waitForURL(/\/builds\/\d+$/);
  const green = page.locator(".log .ansi-32", { hasText: "all green" });
  await green.waitFor();
  assert.equal(
    await page.locator(".status-word").first().textContent(),
    "running",
    "the log streams while it runs",
  );
  await page.getByText("succeeded", { exact: true }).first().waitFor({ timeout: 60_000 });
  await page.locator(".line.stderr", { hasText: "oops" }).waitFor();
  await page.getByLabel("Search").fill("done");
  await page.getByText("1 matching lines").waitFor();
  await page.getByRole("button", { name: /task: test/ }).click();
  assert.equal(await page.locator(".log").count(), 1, "the task's step collapsed; the get's stays open");
  await page.getByRole("button", { name: /task: test/ }).click();
  await page.screenshot({ path: path.join(shots, "build.png") });

  await hundredThousandLines(page, api);

  await page.goto("/teams/main/pipelines/app/jobs/deploy");
  await page.getByRole("button", { name: "Trigger" }).click();
  await page.waitForURL(/\/builds\/\d+$/);
  await page.locator(".line", { hasText: "deploying" }).waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Abort" }).click();
  await page.getByText("aborted", { exact: true }).first().waitFor({ timeout: 30_000 });

  await page.goto("/teams/main/pipelines/app");
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator(".badge", { hasText: "paused" }).waitFor();
  assert.equal((await api.getPipeline("main", "app")).paused, true);
  await pinAndUnpin(page, api);
  await page.goto("/");
  await page.getByText(/· 1 pipelines ·/).waitFor();
  await homeFollowsDeltas(page, api);
  await page.screenshot({ path: path.join(shots, "home.png") });

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto("/builds/1");
  await page.waitForURL(/\/login\?next=%2Fbuilds%2F1$/);
});

/** On the pipeline's page: pin `tick` to its latest version with a comment, then unpin it. */
async function pinAndUnpin(page: Page, api: CiClient): Promise<void> {
  await page.getByRole("button", { name: "versions of tick" }).click();
  page.once("dialog", (dialog) => void dialog.accept("hold it"));
  await page
    .getByRole("button", { name: /^pin tick to time: / })
    .first()
    .click();
  await page.locator(".versions .badge", { hasText: "pinned" }).waitFor();
  const tick = async () => (await api.listResources("main", "app")).find((r) => r.name === "tick");
  assert.equal((await tick())?.pin_comment, "hold it");
  await page.getByRole("button", { name: "Unpin" }).click();
  await page.locator(".versions .badge", { hasText: "pinned" }).waitFor({ state: "detached" });
  assert.equal((await tick())?.pinned_version_id, undefined);
}

/** A 100,000-line log draws only the rows in sight, scrolls to its top and jumps to its error. */
async function hundredThousandLines(page: Page, api: CiClient): Promise<void> {
  const noisy = await api.triggerJob("main", "app", "noisy");
  await page.goto(`/builds/${noisy.id}`);
  await page.getByText("failed", { exact: true }).first().waitFor({ timeout: 120_000 });
  await page.locator(".line", { hasText: /^100000$/ }).waitFor({ timeout: 60_000 });
  const drawn = await page.locator(".log .line").count();
  assert.ok(drawn < 300, `a 100,000-line log draws only the rows in sight (${drawn})`);
  await page
    .locator(".log")
    .first()
    .evaluate((el: { scrollTop: number }) => {
      el.scrollTop = 0;
    });
  await page.locator(".line", { hasText: /^1$/ }).waitFor();
  await page.getByRole("button", { name: "Jump to first error" }).click();
  await page.locator(".line.stderr", { hasText: "boom" }).waitFor();
}

/** A build created behind the home page's back: the page fetches that pipeline's jobs, not every job. */
async function homeFollowsDeltas(page: Page, api: CiClient): Promise<void> {
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  await page.getByRole("img", { name: "unit: succeeded" }).waitFor();
  await api.triggerJob("main", "app", "unit");
  await page.getByRole("img", { name: /^unit: (pending|running)$/ }).waitFor({ timeout: 10_000 });
  assert.ok(fetched.includes("/api/v1/teams/main/pipelines/app/jobs"), fetched.join(" "));
  assert.ok(!fetched.includes("/api/v1/jobs"), `not every job again: ${fetched.join(" ")}`);
}
