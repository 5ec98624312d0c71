/**
 * The GitRepository verbs as a new Flux user tries them: `bin/sluice` run as a subprocess against
 * the real API server, with the controllers running in this process.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { cliCluster, expectExit, expectRow, kubectl, rows, run, sluice, tempDir } from "./helpers/cli.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { startTestServer } from "./helpers/server.ts";

interface Session {
  env: DevEnv;
  client: KubeClient;
  ns: string;
  kube: string[];
  repo: string;
  first: { url: string; sha: string };
}

async function createSecretAndSource(s: Session): Promise<void> {
  const secret = await sluice(
    "create secret git git-auth --url",
    s.first.url,
    "-u",
    s.env.gitUsername,
    "-p",
    s.env.gitPassword,
    ...s.kube,
  );
  expectExit(secret, 0, /git secret '.*\/git-auth' created/);
  assert.ok(!(secret.stdout + secret.stderr).includes(s.env.gitPassword), "the password must not be printed");
  const stored = await s.client.get<KubeObject & { data: Record<string, string> }>(
    "v1",
    "Secret",
    "git-auth",
    s.ns,
  );
  assert.deepEqual(Object.keys(stored.data).sort(), ["password", "username"]);
  assert.equal(Buffer.from(stored.data["password"]!, "base64").toString(), s.env.gitPassword);

  const r = await sluice(
    "create source git app --branch main --secret-ref git-auth --timeout 2m --url",
    s.first.url,
    ...s.kube,
  );
  expectExit(r, 0, new RegExp(`✔ fetched revision: main@sha1:${s.first.sha}`));
  assert.match(
    r.stderr,
    /✚ generating GitRepository source\n► applying GitRepository source .*\n✔ GitRepository source created\n/,
  );
  assert.match(
    r.stderr,
    /◎ waiting for GitRepository source reconciliation\n✔ GitRepository source reconciliation completed\n/,
  );
}

async function getLists(s: Session): Promise<void> {
  const r = await sluice("get sources git", ...s.kube);
  expectExit(r, 0);
  const [header, app] = rows(r.stdout);
  assert.deepEqual(header, ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]);
  assert.deepEqual(app?.slice(0, 4), ["app", `main@sha1:${s.first.sha}`, "False", "True"]);
  expectRow(await sluice("get source git app -A --no-header --kubeconfig", s.env.kubeconfig), s.ns, "app");
  const sources = await sluice("get sources all", ...s.kube);
  expectExit(sources, 0);
  assert.match(sources.stdout, /gitrepository\/app\s+main@sha1:/);
}

async function suspendAndResume(s: Session): Promise<void> {
  expectExit(await sluice("suspend source git app", ...s.kube), 0, /✔ source git suspended/);
  const suspended = rows((await sluice("get sources git app --no-header", ...s.kube)).stdout)[0];
  assert.equal(suspended?.[2], "True");
  const refused = await sluice("reconcile source git app", ...s.kube);
  expectExit(refused, 1, /is suspended\nhint: resume it with 'sluice resume source git app/);
  const third = await pushRepo(s.env, s.repo, { "README.md": "third\n" });
  const r = await sluice("resume source git app --timeout 2m", ...s.kube);
  expectExit(r, 0, new RegExp(`✔ fetched revision main@sha1:${third.sha}`));
  const resumed = rows((await sluice("get sources git app --no-header", ...s.kube)).stdout)[0];
  assert.deepEqual(resumed?.slice(1, 4), [`main@sha1:${third.sha}`, "False", "True"]);
}

test("create secret git, create source git, get, reconcile, suspend, resume and delete against the cluster", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "cli");
  await startTestServer(t, client, { namespace: ns });
  const repo = `cli-${ns}`;
  const first = await pushRepo(env, repo, { "README.md": "first\n" });
  const s: Session = { env, client, ns, kube, repo, first };

  await t.test("create secret git, then create source git waits until Ready and prints the revision", () =>
    createSecretAndSource(s),
  );
  await t.test("get sources git lists it Ready", () => getLists(s));
  await t.test("reconcile after a push prints the new revision", async () => {
    const second = await pushRepo(env, repo, { "README.md": "second\n" });
    const r = await sluice("reconcile source git app --timeout 2m", ...s.kube);
    expectExit(r, 0, new RegExp(`✔ fetched revision main@sha1:${second.sha}`));
  });
  await t.test("suspend shows SUSPENDED True, reconcile refuses it, resume fetches the newest commit", () =>
    suspendAndResume(s),
  );
  await t.test("a source that cannot fetch fails with its Ready message", async () => {
    const r = await sluice(
      "create source git no-auth --branch main --timeout 2m --url",
      first.url,
      ...s.kube,
    );
    expectExit(r, 1, new RegExp(`error: GitRepository '${ns}/no-auth' is not ready: authentication`));
  });
  await t.test("delete asks first: refused without a terminal, done with --silent", async () => {
    expectExit(await sluice("delete source git app", ...s.kube), 2, /pass --silent/);
    expectExit(await sluice("delete source git app --silent", ...s.kube), 0, /✔ source git deleted/);
    const gone = await sluice("get sources git app", ...s.kube);
    expectExit(gone, 1, new RegExp(`GitRepository '${ns}/app' not found`));
  });
});

test("create secret git for an ssh:// URL, and a GitRepository using it over SSH reaches Ready", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "cli");
  await startTestServer(t, client, { namespace: ns });
  const repo = `cli-ssh-${ns}`;
  const { sha } = await pushRepo(env, repo, { "README.md": "over ssh\n" });
  const url = `${env.sshUrl}${env.gitRoot}/${repo}.git`;
  const dir = await tempDir(t);
  const knownHosts = path.join(dir, "known_hosts");
  await writeFile(knownHosts, `${env.sshKnownHosts}\n`);
  const secret = await sluice(
    "create secret git ssh-auth --url",
    url,
    "--private-key-file",
    env.sshIdentityFile,
    "--known-hosts",
    knownHosts,
    ...kube,
  );
  expectExit(secret, 0, /git secret '.*\/ssh-auth' created/);
  assert.ok(!secret.stderr.includes("PRIVATE KEY"), "the private key must not be printed");
  const stored = await client.get<KubeObject & { data: Record<string, string> }>(
    "v1",
    "Secret",
    "ssh-auth",
    ns,
  );
  assert.ok(
    ["identity", "known_hosts"].every((k) => k in stored.data),
    Object.keys(stored.data).join(),
  );
  const source = await sluice(
    "create source git app --branch main --secret-ref ssh-auth --timeout 2m --url",
    url,
    ...kube,
  );
  expectExit(source, 0, new RegExp(`✔ fetched revision: main@sha1:${sha}`));
});

test("create source git --export prints YAML that kubectl applies as is", async (t) => {
  const { env, client, ns } = await cliCluster(t, "cli", { crds: true });
  const exported = await sluice(
    "create source git podinfo --url https://github.com/stefanprodan/podinfo --tag-semver >=6.0.0 --interval 10m " +
      "--fetch-timeout 90s --secret-ref auth --ignore-paths /*,!/kustomize --recurse-submodules --export " +
      "--kubeconfig /nonexistent/kubeconfig -n",
    ns,
  );
  expectExit(exported, 0);
  const doc = YAML.parse(exported.stdout) as KubeObject;
  assert.equal(doc.apiVersion, "source.toolkit.fluxcd.io/v1");
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "source.yaml"), exported.stdout);
  expectExit(await kubectl(env, ["apply", "-f", path.join(dir, "source.yaml")]), 0);
  const live = await client.get("source.toolkit.fluxcd.io/v1", "GitRepository", "podinfo", ns);
  assert.deepEqual(live["spec"], {
    interval: "10m",
    ref: { semver: ">=6.0.0" },
    url: "https://github.com/stefanprodan/podinfo",
    secretRef: { name: "auth" },
    timeout: "90s",
    ignore: "/*\n!/kustomize",
    recurseSubmodules: true,
  });
});

test("create secret git --export prints an SSH Secret; without --known-hosts it fails with a hint", async (t) => {
  const dir = await tempDir(t);
  const key = path.join(dir, "id");
  await writeFile(
    key,
    "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n",
  );
  await writeFile(`${key}.pub`, "ssh-ed25519 AAAAfake test\n");
  await writeFile(path.join(dir, "known_hosts"), "git.example.com ssh-ed25519 AAAAhost\n");
  const url = "ssh://git@git.example.com:2222/org/repo";
  const base = [
    "create",
    "secret",
    "git",
    "ssh-auth",
    "--url",
    url,
    "--private-key-file",
    key,
    "--kubeconfig",
    "/nonexistent",
  ];
  const r = await run([...base, "--known-hosts", path.join(dir, "known_hosts"), "--export"]);
  expectExit(r, 0);
  const secret = YAML.parse(r.stdout) as { stringData: Record<string, string> };
  assert.deepEqual(Object.keys(secret.stringData).sort(), ["identity", "identity.pub", "known_hosts"]);
  assert.equal(secret.stringData["identity"], await readFile(key, "utf8"));
  expectExit(await run(base), 2, /needs --known-hosts[^]*hint: run 'ssh-keyscan -p 2222 git\.example\.com/);
});

test("bad flags exit 2 with a message, before any call to the cluster", async () => {
  // An unreadable kubeconfig would make any cluster call fail with exit 1: exit 2 proves validation came first.
  const git = "create source git app --kubeconfig /nonexistent/kubeconfig";
  const cases: [string, RegExp][] = [
    [`${git} --url https://example.com/r.git`, /a Git ref is required/],
    [
      `${git} --url https://example.com/r.git --branch main --tag v1`,
      /choose one Git ref, got --branch and --tag/,
    ],
    [
      `${git} --url ftp://example.com/r.git --branch main`,
      /--url "ftp:\/\/example.com\/r.git": must be an http:\/\//,
    ],
    [
      `${git} --url git@github.com:org/repo.git --branch main`,
      /scp-like[^]*hint: use ssh:\/\/git@github.com\/org\/repo.git/,
    ],
    [
      `${git} --url https://example.com/r.git --branch main --interval 5min`,
      /--interval "5min": must be a duration/,
    ],
    [`${git} --url https://example.com/r.git --commit xyz`, /--commit "xyz" is not a commit SHA/],
    [
      `${git} --url https://example.com/r.git --branch main --timeout soon`,
      /--timeout must be a positive duration/,
    ],
    [`create source git App_1 --url https://example.com/r.git --branch main`, /"App_1" is not a valid name/],
    [`${git} --branch main`, /required option '--url <url>' not specified/],
    [
      `${git} --url https://example.com/r.git --branch main --no-such-flag`,
      /unknown option '--no-such-flag'/,
    ],
    [`create secret git s --url https://example.com/r.git -u me`, /--username and --password go together/],
    [`create secret git s --url https://example.com/r.git`, /no credentials given/],
    [`get sources git -n Bad_NS --kubeconfig /nonexistent/kubeconfig`, /namespace "Bad_NS" is not valid/],
    [`install --components helm-controller --export`, /unknown component\(s\): helm-controller/],
  ];
  for (const [words, pattern] of cases) expectExit(await sluice(words), 2, pattern);
});

test("a missing object exits 1 with its namespace and name", async (t) => {
  const { ns, kube } = await cliCluster(t, "cli", { crds: true });
  for (const verb of ["reconcile", "suspend", "resume", "delete"]) {
    const r = await run([verb, "source", "git", "nope", ...kube]);
    expectExit(r, 1, new RegExp(`^error: GitRepository '${ns}/nope' not found\n`));
  }
  const empty = await run(["get", "sources", "git", ...kube]);
  expectExit(empty, 0, new RegExp(`✗ no GitRepository objects found in "${ns}" namespace`));
});

test("an unreachable cluster is reported with a hint to check --kubeconfig", async (t) => {
  const env = await testEnv();
  const dir = await tempDir(t);
  const kubeconfig = path.join(dir, "kubeconfig");
  const text = await readFile(env.kubeconfig, "utf8");
  await writeFile(kubeconfig, text.replace(/server: https:\/\/[^\s]+/, "server: https://127.0.0.1:1"));
  const r = await run(["get", "sources", "git", "--kubeconfig", kubeconfig]);
  expectExit(
    r,
    1,
    /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1[^]*hint: check --kubeconfig/,
  );
});
