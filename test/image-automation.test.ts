import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { runGit, withCredentials } from "../src/git/exec.ts";
import { clone } from "../src/git/repository.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { startTestServer } from "./helpers/server.ts";
import { applyGitRepository, createGitAuthSecret } from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const imageApi = "image.toolkit.fluxcd.io/v1";
type Automation = KubeObject & {
  status?: {
    lastPushCommit?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    lastAutomationRunTime?: string;
  };
};

const deployment = (image: string, ns: string) =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: app   # the app",
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "        - name: app",
    `          image: ${image}:1.0.0 # {"$imagepolicy": "${ns}:app"}`,
    "",
  ].join("\n");

async function fixture(t: TestContext, prefix: string) {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, prefix);
  await startTestServer(t, client, {
    namespace: ns,
    controllers: ["gitrepository", "imagerepository", "imagepolicy", "imageupdateautomation"],
  });
  const repo = `cfg-${ns}`;
  const image = `${env.registry}/${prefix}/${ns}`;
  await pushTestImage(env, `${prefix}/${ns}`, ["1.0.0"]);
  const content = deployment(image, ns);
  const first = await pushRepo(env, repo, {
    "clusters/my-cluster/app.yaml": content,
    "README.md": "config\n",
  });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url: first.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await client.apply(
    {
      apiVersion: imageApi,
      kind: "ImageRepository",
      metadata: { name: "app", namespace: ns },
      spec: { image, interval: "1h", insecure: true },
    },
    { fieldManager: "test" },
  );
  await client.apply(
    {
      apiVersion: imageApi,
      kind: "ImagePolicy",
      metadata: { name: "app", namespace: ns },
      spec: { imageRepositoryRef: { name: "app" }, policy: { semver: { range: "^1.0" } } },
    },
    { fieldManager: "test" },
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-automation-test-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const creds = { username: env.gitUsername, password: env.gitPassword };
  /** Clones the repository's main branch as it is now. */
  const checkout = async (name: string) => {
    const dir = path.join(work, name);
    await clone(first.url, dir, { credentials: creds, branch: "main" });
    return dir;
  };
  const newTag = async (tag: string) => {
    await pushTestImage(env, `${prefix}/${ns}`, [tag], { "v.txt": tag });
    await client.patch(
      { apiVersion: imageApi, kind: "ImageRepository", name: "app", namespace: ns },
      { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": tag } } },
    );
  };
  return { env, client, ns, repo, image, content, first, checkout, newTag, creds };
}

async function automation(
  client: KubeClient,
  ns: string,
  spec: Record<string, unknown>,
  apiVersion = "image.toolkit.fluxcd.io/v1beta1",
) {
  await client.apply(
    { apiVersion, kind: "ImageUpdateAutomation", metadata: { name: "auto", namespace: ns }, spec },
    { fieldManager: "test", force: true },
  );
}

const guideSpec = {
  interval: "1h",
  sourceRef: { kind: "GitRepository", name: "config" },
  git: {
    checkout: { ref: { branch: "main" } },
    commit: {
      author: { email: "fluxcdbot@users.noreply.github.com", name: "fluxcdbot" },
      messageTemplate: "{{range .Updated.Images}}{{println .}}{{end}}",
    },
    push: { branch: "main" },
  },
  update: { path: "./clusters/my-cluster", strategy: "Setters" },
};

async function untilAutomation(
  client: KubeClient,
  ns: string,
  what: string,
  accept: (a: Automation) => boolean,
): Promise<Automation> {
  const get = () => client.get<Automation>(imageApi, "ImageUpdateAutomation", "auto", ns);
  return waitFor(`automation: ${what}`, async () => ((a) => (accept(a) ? a : undefined))(await get()), {
    describe: async () => JSON.stringify((await get()).status),
  });
}

const log = async (dir: string) =>
  (await runGit(["log", "--format=%H %an <%ae> %cn|%s"], { cwd: dir })).stdout.trim().split("\n");

test("the v1beta1 guide automation writes the new tag byte for byte, commits once with the template, and makes no empty commits", async (t) => {
  const f = await fixture(t, "auto-guide");
  await f.newTag("1.1.0");
  await automation(f.client, f.ns, guideSpec);
  const pushed = await untilAutomation(f.client, f.ns, "pushed", (a) => !!a.status?.lastPushCommit);
  const dir = await f.checkout("after");
  const file = await readFile(path.join(dir, "clusters/my-cluster/app.yaml"), "utf8");
  assert.equal(
    file,
    f.content.replace(":1.0.0 #", ":1.1.0 #"),
    "only the tag changed, comments and layout kept",
  );
  const history = await log(dir);
  assert.equal(history.length, 2, "exactly one commit added");
  assert.match(
    history[0]!,
    new RegExp(
      `^${pushed.status!.lastPushCommit} fluxcdbot <fluxcdbot@users.noreply.github.com> Sluice Image Automation\\|${f.image}:1.1.0$`,
    ),
  );

  await f.client.patch(
    { apiVersion: imageApi, kind: "ImageUpdateAutomation", name: "auto", namespace: f.ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "again" } } },
  );
  const again = await untilAutomation(
    f.client,
    f.ns,
    "ran again",
    (a) => a.status?.conditions?.find((c) => c.type === "Ready")?.message === "repository up-to-date",
  );
  assert.equal(again.status?.lastPushCommit, pushed.status?.lastPushCommit, "no empty commit");
});

test("the default commit message ends with [ci skip]", async (t) => {
  const f = await fixture(t, "auto-ciskip");
  await f.newTag("1.0.1");
  await automation(
    f.client,
    f.ns,
    {
      ...guideSpec,
      git: { ...guideSpec.git, commit: { author: { name: "bot", email: "bot@example.com" } } },
    },
    imageApi,
  );
  await untilAutomation(f.client, f.ns, "pushed", (a) => !!a.status?.lastPushCommit);
  const dir = await f.checkout("after");
  const message = (await runGit(["log", "-1", "--format=%B"], { cwd: dir })).stdout.trim();
  assert.ok(message.endsWith("[ci skip]"), message);
});

test("a concurrent human commit during the push causes a retry, not a lost commit", async (t) => {
  const f = await fixture(t, "auto-race");
  // a server hook that lets a "human" commit land first and refuses our first push
  const hook = path.join(f.env.gitRoot, `${f.repo}.git`, "hooks", "pre-receive");
  await writeFile(
    hook,
    [
      "#!/bin/sh",
      "unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES",
      'if [ -f "$GIT_DIR/raced" ]; then exit 0; fi',
      'touch "$GIT_DIR/raced"',
      "tree=$(git rev-parse refs/heads/main^{tree}); parent=$(git rev-parse refs/heads/main)",
      'c=$(echo "human change" | GIT_AUTHOR_NAME=human GIT_AUTHOR_EMAIL=human@example.com GIT_COMMITTER_NAME=human GIT_COMMITTER_EMAIL=human@example.com git commit-tree "$tree" -p "$parent")',
      'git update-ref refs/heads/main "$c"',
      'echo "rejected: the branch moved (simulated race)" >&2',
      "exit 1",
      "",
    ].join("\n"),
  );
  await chmod(hook, 0o755);
  await f.newTag("1.2.0");
  await automation(f.client, f.ns, guideSpec);
  await untilAutomation(f.client, f.ns, "pushed after the retry", (a) => !!a.status?.lastPushCommit);
  const history = await log(await f.checkout("after"));
  assert.equal(history.length, 3);
  assert.match(history[0]!, /Sluice Image Automation\|/, "our commit on top");
  assert.match(history[1]!, /human <human@example.com> human\|human change$/, "the human commit kept");
});

test("a person's rollback is respected until the policy moves on or the user resumes", async (t) => {
  const f = await fixture(t, "auto-rollback");
  await f.newTag("1.1.0");
  await automation(f.client, f.ns, guideSpec);
  await untilAutomation(f.client, f.ns, "pushed 1.1.0", (a) => !!a.status?.lastPushCommit);
  // a person goes back to 1.0.0
  const human = await f.checkout("human");
  const file = path.join(human, "clusters/my-cluster/app.yaml");
  await writeFile(file, (await readFile(file, "utf8")).replace(":1.1.0 #", ":1.0.0 #"));
  await withCredentials(f.creds, async (auth) => {
    await runGit(["commit", "-qam", "back to 1.0.0: 1.1.0 is broken"], {
      cwd: human,
      env: {
        GIT_AUTHOR_NAME: "alice",
        GIT_AUTHOR_EMAIL: "alice@example.com",
        GIT_COMMITTER_NAME: "alice",
        GIT_COMMITTER_EMAIL: "alice@example.com",
      },
    });
    await runGit(["push", "-q", "origin", "HEAD:refs/heads/main"], { cwd: human, auth });
  });
  const revert = (await runGit(["rev-parse", "HEAD"], { cwd: human })).stdout.trim();
  await f.client.patch(
    { apiVersion: imageApi, kind: "ImageUpdateAutomation", name: "auto", namespace: f.ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "after-revert" } } },
  );
  const held = await untilAutomation(
    f.client,
    f.ns,
    "RolledBackByUser",
    (a) => a.status?.conditions?.find((c) => c.type === "Ready")?.reason === "RolledBackByUser",
  );
  const message = held.status!.conditions!.find((c) => c.type === "Ready")!.message;
  assert.match(
    message,
    new RegExp(
      `policy '${f.ns}:app' selects ${f.image}:1.1.0, which commit ${revert.slice(0, 7)} by alice rolled back`,
    ),
  );
  assert.equal((await log(await f.checkout("held")))[0]!.split(" ")[0], revert, "nothing re-applied");

  await f.newTag("1.3.0");
  await untilAutomation(
    f.client,
    f.ns,
    "moves on to 1.3.0",
    (a) =>
      a.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" &&
      !!a.status.lastPushCommit &&
      a.status.lastPushCommit !== held.status?.lastPushCommit,
  );
  const after = await readFile(path.join(await f.checkout("moved"), "clusters/my-cluster/app.yaml"), "utf8");
  assert.match(after, /:1\.3\.0 #/);
});

test("a file that is not valid YAML is left untouched, a refused push is named, and a marker for an unknown policy is reported", async (t) => {
  const f = await fixture(t, "auto-faults");
  await f.newTag("1.1.0");
  const broken = `${f.content}bad: [unclosed # {"$imagepolicy": "${f.ns}:app"}\n`;
  await pushRepo(f.env, f.repo, {
    "clusters/my-cluster/app.yaml": broken,
    "clusters/my-cluster/other.yaml": `image: x:1 # {"$imagepolicy": "${f.ns}:nope"}\n`,
  });
  await automation(f.client, f.ns, guideSpec);
  const failed = await untilAutomation(
    f.client,
    f.ns,
    "UpdateFailed",
    (a) => a.status?.conditions?.find((c) => c.type === "Ready")?.reason === "UpdateFailed",
  );
  assert.match(
    failed.status!.conditions!.find((c) => c.type === "Ready")!.message,
    /clusters\/my-cluster\/app\.yaml|app\.yaml/,
  );
  assert.equal(
    await readFile(path.join(await f.checkout("broken"), "clusters/my-cluster/app.yaml"), "utf8"),
    broken,
    "untouched",
  );

  // fix the file; then a server hook refuses every push, as missing rights would
  await pushRepo(f.env, f.repo, { "clusters/my-cluster/app.yaml": f.content });
  const hook = path.join(f.env.gitRoot, `${f.repo}.git`, "hooks", "pre-receive");
  await writeFile(hook, '#!/bin/sh\necho "permission denied for this branch" >&2\nexit 1\n');
  await chmod(hook, 0o755);
  await f.client.patch(
    { apiVersion: imageApi, kind: "ImageUpdateAutomation", name: "auto", namespace: f.ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "refused" } } },
  );
  const refused = await untilAutomation(f.client, f.ns, "push refused", (a) =>
    /permission denied for this branch/.test(
      a.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "",
    ),
  );
  assert.equal(refused.status!.conditions!.find((c) => c.type === "Ready")!.reason, "GitOperationFailed");
  assert.equal(
    refused.status!.conditions!.find((c) => c.type === "FetchFailed"),
    undefined,
    "a push failure is not a fetch failure",
  );
  const events = (await f.client.list("v1", "Event", { namespace: f.ns })).items;
  assert.ok(
    events.some((e) => e["reason"] === "MarkerSkipped" && /other\.yaml:1/.test(String(e["message"]))),
    "the unknown policy's marker is reported",
  );
});
