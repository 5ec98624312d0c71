/**
 * The image update verbs as a Flux user tries them: `bin/sluice` run as a subprocess against the
 * real API server, git server and registry, with the GitRepository and image controllers running
 * in this process.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import YAML from "yaml";
import { rollbacksAcknowledgedAnnotation } from "../src/api/kinds.ts";
import { runGit, withCredentials } from "../src/git/exec.ts";
import { clone } from "../src/git/repository.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { cliCluster, expectExit, kubectl, rows, sluice, tempDir } from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import { pushTestImage } from "./helpers/registry.ts";
import { startTestServer } from "./helpers/server.ts";
import { applyGitRepository, createGitAuthSecret } from "./helpers/sources.ts";

const api = "image.toolkit.fluxcd.io/v1";
const nowhere = ["--kubeconfig", "/nonexistent/kubeconfig"];

test("create image update --export prints YAML that kubectl applies as is", async (t) => {
  const { env, client, ns } = await cliCluster(t, "iucli", { crds: true });
  const template = "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}";
  const exported = await sluice(
    "create image update auto --git-repo-ref config.other --git-repo-path ./clusters/my-cluster" +
      " --checkout-branch main --push-branch auto --author-name bot --author-email bot@example.com" +
      " --interval 5m --export",
    "--commit-template",
    template,
    ...nowhere,
    "-n",
    ns,
  );
  expectExit(exported, 0);
  assert.equal((YAML.parse(exported.stdout) as KubeObject).kind, "ImageUpdateAutomation");

  const file = path.join(await tempDir(t), "update.yaml");
  await writeFile(file, exported.stdout);
  expectExit(await kubectl(env, ["apply", "-f", file]), 0);
  const live = await client.get(api, "ImageUpdateAutomation", "auto", ns);
  assert.deepEqual(live["spec"], {
    sourceRef: { kind: "GitRepository", name: "config", namespace: "other" },
    git: {
      checkout: { ref: { branch: "main" } },
      commit: { author: { name: "bot", email: "bot@example.com" }, messageTemplate: template },
      push: { branch: "auto" },
    },
    interval: "5m",
    update: { strategy: "Setters", path: "./clusters/my-cluster" },
  });
});

test("invalid flags of create image update exit 2 before any call to the cluster", async () => {
  const create = "create image update auto --git-repo-ref config --author-email bot@example.com";
  const cases: [string[], RegExp][] = [
    [[create, "--commit-template", "{{range .Changed}"], /error: --commit-template: .*unexpected/],
    [[create, "--commit-template", "{{.Nope"], /error: --commit-template: /],
    [[create, "--push-branch", "a..b"], /--push-branch "a\.\.b" is not a valid branch name/],
    [[create, "--interval", "soon"], /--interval "soon"/],
    [["create image update auto --git-repo-ref a/b --author-email e@x"], /--git-repo-ref "a\/b"/],
    [["create image update auto --git-repo-ref config"], /required option '--author-email/],
  ];
  const runs = await Promise.all(cases.map(([[words, ...rest]]) => sluice(words!, ...rest, ...nowhere)));
  runs.forEach((r, i) => expectExit(r, 2, cases[i]![1]));
});

const deployment = (image: string, ns: string) =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: app",
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "        - name: app",
    `          image: ${image}:1.0.0 # {"$imagepolicy": "${ns}:app"}`,
    "",
  ].join("\n");

/**
 * A namespace with the controllers running, a git repository whose manifest marks the image with
 * the policy `app`, its GitRepository `config`, and the ImageRepository and ImagePolicy `app`
 * created with the CLI (the policy selected 1.1.0).
 */
async function automationFixture(t: TestContext) {
  const { env, client, ns, kube } = await cliCluster(t, "iucli");
  await startTestServer(t, client, {
    namespace: ns,
    controllers: ["gitrepository", "imagerepository", "imagepolicy", "imageupdateautomation"],
  });
  const image = `${env.registry}/iucli/${ns}`;
  await pushTestImage(env, `iucli/${ns}`, ["1.0.0", "1.1.0"]);
  const repo = await pushRepo(env, `cfg-${ns}`, {
    "clusters/my-cluster/app.yaml": deployment(image, ns),
    "README.md": "config\n",
  });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url: repo.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  const work = await tempDir(t, "sluice-iucli-");
  const creds = { username: env.gitUsername, password: env.gitPassword };
  let clones = 0;
  /** The manifest on main as it is now. */
  const manifest = async () => {
    const dir = path.join(work, `clone-${clones++}`);
    await clone(repo.url, dir, { credentials: creds, branch: "main" });
    return { dir, file: path.join(dir, "clusters/my-cluster/app.yaml") };
  };
  const tagOnMain = async () =>
    /:(\d+\.\d+\.\d+) #/.exec(await readFile((await manifest()).file, "utf8"))?.[1];

  expectExit(
    await sluice("create image repository app --insecure --timeout 2m --image", image, ...kube),
    0,
    /✔ scan fetched 2 tags\n/,
  );
  expectExit(
    await sluice("create image policy app --image-ref app --timeout 2m --select-semver", "^1.0", ...kube),
    0,
    new RegExp(`✔ selected image ${image}:1.1.0\n`),
  );

  /** A person commits `from` back to `to` on main. */
  const rollBack = async (from: string, to: string) => {
    const human = await manifest();
    await writeFile(human.file, (await readFile(human.file, "utf8")).replace(`:${from} #`, `:${to} #`));
    await withCredentials(creds, async (auth) => {
      await runGit(["commit", "-qam", `back to ${to}: ${from} is broken`], {
        cwd: human.dir,
        env: {
          GIT_AUTHOR_NAME: "alice",
          GIT_AUTHOR_EMAIL: "alice@example.com",
          GIT_COMMITTER_NAME: "alice",
          GIT_COMMITTER_EMAIL: "alice@example.com",
        },
      });
      await runGit(["push", "-q", "origin", "HEAD:refs/heads/main"], { cwd: human.dir, auth });
    });
  };
  return { client, ns, kube, image, tagOnMain, rollBack };
}

test("create image update pushes the policy's image; get lists it; resume re-applies after a rollback", async (t) => {
  const { client, ns, kube, image, tagOnMain, rollBack } = await automationFixture(t);

  await t.test("create image update prints the pushed commit", async () => {
    const r = await sluice(
      "create image update auto --git-repo-ref config --git-repo-path ./clusters/my-cluster" +
        " --checkout-branch main --author-name bot --author-email bot@example.com --timeout 2m",
      ...kube,
    );
    expectExit(
      r,
      0,
      /✔ ImageUpdateAutomation reconciliation completed\n✔ pushed commit '[0-9a-f]{7}' to branch 'main'\n/,
    );
    assert.equal(await tagOnMain(), "1.1.0");
  });

  await t.test("get images update and get images all list it", async () => {
    const got = await sluice("get images update", ...kube);
    expectExit(got, 0);
    const table = rows(got.stdout);
    assert.deepEqual(table[0], ["NAME", "LAST RUN", "SUSPENDED", "READY", "MESSAGE"]);
    assert.equal(table[1]?.[0], "auto", got.stdout);
    assert.match(table[1]?.[1] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, got.stdout);
    assert.deepEqual(table[1]?.slice(2, 4), ["False", "True"], got.stdout);
    assert.match(table[1]?.[4] ?? "", /^pushed commit '[0-9a-f]{7}' to branch 'main'$/);
    const all = await sluice("get images all", ...kube);
    expectExit(all, 0);
    assert.match(
      all.stdout,
      /^NAME\s+LAST RUN\s+SUSPENDED\s+READY\s+MESSAGE\nimageupdateautomation\/auto\s+/m,
    );
  });

  await t.test("reconcile image update finds the repository up-to-date", async () => {
    expectExit(
      await sluice("reconcile image update auto --timeout 2m", ...kube),
      0,
      /✔ repository up-to-date\n/,
    );
  });

  await t.test(
    "after a person's rollback the automation holds; resume applies the policy again",
    async () => {
      await rollBack("1.1.0", "1.0.0");
      expectExit(
        await sluice("reconcile image update auto --timeout 2m", ...kube),
        1,
        new RegExp(
          `is not ready: policy '${ns}:app' selects ${image}:1.1.0, which commit [0-9a-f]{7} by alice rolled back; .*'sluice resume image update auto'`,
        ),
      );
      assert.equal(await tagOnMain(), "1.0.0", "the rollback is held");

      expectExit(await sluice("suspend image update auto", ...kube), 0, /✔ image update suspended/);
      const resumed = await sluice("resume image update auto --timeout 2m", ...kube);
      expectExit(resumed, 0, /✔ pushed commit '[0-9a-f]{7}' to branch 'main'\n/);
      assert.equal(await tagOnMain(), "1.1.0", "the policy's image applied again");
      const live = await client.get(api, "ImageUpdateAutomation", "auto", ns);
      const annotations = (live["metadata"] as { annotations?: Record<string, string> }).annotations ?? {};
      assert.equal(
        annotations[rollbacksAcknowledgedAnnotation],
        annotations["reconcile.fluxcd.io/requestedAt"],
        "acknowledged at the time of the resume's reconcile request",
      );
      assert.equal((live["spec"] as { suspend?: boolean }).suspend, false);
    },
  );

  await t.test("delete image update", async () => {
    expectExit(await sluice("delete image update auto --silent", ...kube), 0, /✔ image update deleted/);
    expectExit(
      await sluice("get images update auto", ...kube),
      1,
      new RegExp(`ImageUpdateAutomation '${ns}/auto' not found`),
    );
  });
});
