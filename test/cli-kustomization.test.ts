/**
 * The Kustomization verbs as a Flux user tries them: `bin/sluice` run as a subprocess against the
 * real API server, with the GitRepository and Kustomization controllers running in this process.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import YAML from "yaml";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import {
  cliCluster,
  expectExit,
  expectRow,
  kubeFlags,
  kubectl,
  rows,
  run,
  show,
  sluice,
  sluiceBin,
  tempDir,
} from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import { deliveryFixture, ksApi, waitForKustomization } from "./helpers/kustomizations.ts";
import { waitFor } from "./helpers/wait.ts";

const deployment = (replicas: number) =>
  YAML.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "example/web:1" }] },
      },
    },
  });
const configMap = (name: string, data: Record<string, string>) =>
  YAML.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

const appFiles = { "deploy.yaml": deployment(1), "config.yaml": configMap("app-config", { color: "blue" }) };
const prefixed = (dir: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([f, c]) => [`${dir}/${f}`, c]));

async function writeFiles(dir: string, files: Record<string, string>): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

interface Session {
  t: TestContext;
  env: DevEnv;
  client: KubeClient;
  ns: string;
  kube: string[];
  repo: string;
  sha: string;
}

async function createAndGet(s: Session): Promise<void> {
  const r = await sluice(
    "create kustomization app --source GitRepository/source --path app --prune --interval 10m --wait",
    "--health-check-timeout",
    "1m",
    "--target-namespace",
    s.ns,
    "--timeout",
    "2m",
    ...s.kube,
  );
  expectExit(r, 0, new RegExp(`✔ Kustomization app is ready\n✔ applied revision main@sha1:${s.sha}\n`));
  assert.match(
    r.stderr,
    /✚ generating Kustomization\n► applying Kustomization .*\/app\n✔ Kustomization created\n/,
  );
  const live = await s.client.get(ksApi, "Kustomization", "app", s.ns);
  assert.deepEqual(live["spec"], {
    interval: "10m",
    path: "./app",
    prune: true,
    sourceRef: { kind: "GitRepository", name: "source" },
    targetNamespace: s.ns,
    timeout: "1m",
    wait: true,
    force: false,
  });

  const get = await sluice("get kustomizations", ...s.kube);
  expectExit(get, 0);
  const [header, app] = rows(get.stdout);
  assert.deepEqual(header, ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]);
  assert.deepEqual(app, [
    "app",
    `main@sha1:${s.sha}`,
    "False",
    "True",
    `Applied revision: main@sha1:${s.sha}`,
  ]);
  expectRow(await sluice("get ks app -A --no-header --kubeconfig", s.env.kubeconfig), s.ns, "app");
  const everything = await sluice("get all", ...s.kube);
  expectExit(everything, 0);
  assert.match(everything.stdout, /gitrepository\/source\s+main@sha1:/);
  assert.match(everything.stdout, /kustomization\/app\s+main@sha1:/);
}

type Labelled = KubeObject & { metadata: { labels: Record<string, string> } };

async function build(s: Session): Promise<void> {
  const local = await writeFiles(await tempDir(s.t), appFiles);
  const r = await sluice("build kustomization app --path", local, ...s.kube);
  expectExit(r, 0);
  const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON() as Labelled);
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`).sort(), [
    `ConfigMap/${s.ns}/app-config`,
    `Deployment/${s.ns}/web`,
  ]);
  for (const d of docs) {
    assert.equal(d.metadata.labels["kustomize.toolkit.fluxcd.io/name"], "app");
    assert.equal(d.metadata.labels["kustomize.toolkit.fluxcd.io/namespace"], s.ns);
  }
  const fromArtifact = await sluice("build ks app", ...s.kube);
  expectExit(fromArtifact, 0);
  assert.equal(fromArtifact.stdout, r.stdout, "the source's artifact holds the same manifests");

  // a directory inside a git work tree is built with the work tree, so '../' references resolve
  const repo = await tempDir(s.t);
  await mkdir(path.join(repo, ".git"));
  await writeFiles(repo, {
    ...prefixed("base", appFiles),
    "base/kustomization.yaml": YAML.stringify({ resources: Object.keys(appFiles) }),
    "overlay/kustomization.yaml": YAML.stringify({ resources: ["../base"], namePrefix: "dev-" }),
  });
  const overlay = await sluice("build ks app --path", path.join(repo, "overlay"), ...s.kube);
  expectExit(overlay, 0);
  assert.match(overlay.stdout, /name: dev-web\n/);
}

async function diff(s: Session): Promise<void> {
  const same = await writeFiles(await tempDir(s.t), appFiles);
  const identical = await sluice("diff kustomization app --path", same, ...s.kube);
  expectExit(identical, 0, /✔ no changes/);
  assert.equal(identical.stdout, "");

  const changed = await writeFiles(await tempDir(s.t), {
    "deploy.yaml": deployment(3),
    "extra.yaml": configMap("extra", { a: "1" }),
  });
  const r = await sluice("diff ks app --path", changed, ...s.kube);
  expectExit(r, 1);
  assert.match(r.stdout, new RegExp(`► Deployment/${s.ns}/web drifted\n--- .*\n\\+\\+\\+ .*\n@@ `));
  assert.match(r.stdout, /\n- +replicas: 1\n\+ +replicas: 3\n/);
  assert.match(r.stdout, new RegExp(`► ConfigMap/${s.ns}/extra created\n`));
  assert.match(r.stdout, new RegExp(`► ConfigMap/${s.ns}/app-config deleted\n`));
  const live = await s.client.get<KubeObject & { spec: { replicas: number } }>(
    "apps/v1",
    "Deployment",
    "web",
    s.ns,
  );
  assert.equal(live.spec.replicas, 1, "a diff changes nothing");
}

/** A push adding a nested Kustomization; `reconcile --with-source` fetches and applies it. */
async function reconcileWithSource(s: Session): Promise<void> {
  const inner = YAML.stringify({
    apiVersion: ksApi,
    kind: "Kustomization",
    metadata: { name: "inner", namespace: s.ns },
    spec: {
      interval: "1h",
      path: "./inner",
      prune: true,
      targetNamespace: s.ns,
      sourceRef: { kind: "GitRepository", name: "source" },
    },
  });
  const { sha } = await pushRepo(s.env, s.repo, {
    "app/inner.yaml": inner,
    "inner/config.yaml": configMap("inner-config", { b: "2" }),
  });
  const r = await sluice("reconcile kustomization app --with-source --timeout 2m", ...s.kube);
  expectExit(r, 0);
  assert.match(
    r.stderr,
    new RegExp(
      `► annotating GitRepository source in ${s.ns} namespace\n✔ GitRepository annotated\n` +
        `◎ waiting for GitRepository reconciliation\n✔ GitRepository reconciliation completed\n` +
        `✔ fetched revision main@sha1:${sha}\n► annotating Kustomization app`,
    ),
  );
  assert.match(r.stderr, new RegExp(`✔ applied revision main@sha1:${sha}\n$`));
}

async function tree(s: Session): Promise<void> {
  await waitForKustomization(s.client, s.ns, "inner", (_o, ready) => ready?.status === "True", "inner Ready");
  const r = await sluice("tree kustomization app", ...s.kube);
  expectExit(r, 0);
  assert.equal(
    r.stdout,
    [
      `Kustomization/${s.ns}/app`,
      `├── ConfigMap/${s.ns}/app-config`,
      `├── Kustomization/${s.ns}/inner`,
      `│   └── ConfigMap/${s.ns}/inner-config`,
      `└── Deployment/${s.ns}/web`,
      "",
    ].join("\n"),
  );
}

async function events(s: Session): Promise<void> {
  const r = await sluice("events --for Kustomization/app", ...s.kube);
  expectExit(r, 0);
  const [header, ...lines] = rows(r.stdout);
  assert.deepEqual(header, ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
  assert.ok(lines.length > 0 && lines.every((l) => l[3] === "Kustomization/app"), show(r));
  assert.ok(
    lines.some(
      (l) => l[1] === "Normal" && l[2] === "Progressing" && l[4]?.includes(`Deployment/${s.ns}/web created`),
    ),
    show(r),
  );
  const everything = await sluice("events -A --for kustomization/inner --kubeconfig", s.env.kubeconfig);
  expectExit(everything, 0);
  assert.match(everything.stdout, new RegExp(`^NAMESPACE\\s+LAST SEEN[^]*\n${s.ns}\\s+\\d+s\\s+Normal`));
}

async function watchEvents(s: Session): Promise<void> {
  const child = spawn(sluiceBin, ["events", "--watch", "--for", "Kustomization/app", ...s.kube], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const printed = (pattern: RegExp) => () => Promise.resolve(pattern.test(stdout) ? true : undefined);
  await waitFor("the first table", printed(/Kustomization\/app/), { timeoutMs: 20_000 });
  const before = stdout.split("\n").length;
  await s.client.create({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `app.watch-${Date.now()}`, namespace: s.ns },
    involvedObject: { apiVersion: ksApi, kind: "Kustomization", name: "app", namespace: s.ns },
    reason: "WatchTest",
    message: "streamed",
    type: "Normal",
    firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    count: 1,
    source: { component: "test" },
  });
  await waitFor("the streamed Event", printed(/WatchTest\s+Kustomization\/app\s+streamed/), {
    timeoutMs: 20_000,
  });
  assert.ok(stdout.split("\n").length > before);
  child.kill("SIGINT");
  assert.equal(await exited, 0, "Ctrl-C ends --watch cleanly");
}

async function suspendResumeDelete(s: Session): Promise<void> {
  expectExit(await sluice("suspend kustomization app", ...s.kube), 0, /✔ kustomization suspended/);
  assert.equal(rows((await sluice("get ks app --no-header", ...s.kube)).stdout)[0]?.[2], "True");
  const refused = await sluice("reconcile ks app", ...s.kube);
  expectExit(refused, 1, /is suspended\nhint: resume it with 'sluice resume kustomization app/);
  const resumed = await sluice("resume ks app --timeout 2m", ...s.kube);
  expectExit(resumed, 0, /✔ kustomization resumed\n[^]*✔ applied revision main@sha1:/);
  assert.equal(rows((await sluice("get ks app --no-header", ...s.kube)).stdout)[0]?.[2], "False");

  expectExit(await sluice("delete ks app", ...s.kube), 2, /pass --silent/);
  expectExit(await sluice("delete kustomization app --silent", ...s.kube), 0, /✔ kustomization deleted/);
  await waitFor("the Kustomization and what it pruned to be gone", async () => {
    const gone = await sluice("get ks app", ...s.kube);
    return gone.code === 1 && /Kustomization '.*\/app' not found/.test(gone.stderr) ? true : undefined;
  });
}

test("create kustomization, get, build, diff, reconcile --with-source, tree, events, suspend, resume and delete", async (t) => {
  const files = prefixed("app", appFiles);
  const { env, client, ns, sha } = await deliveryFixture(t, "kcli", files);
  const s: Session = {
    t,
    env,
    client,
    ns,
    kube: kubeFlags(env, ns),
    repo: `kcli-${ns}`,
    sha,
  };

  await t.test("create kustomization waits until Ready and prints the applied revision; get lists it", () =>
    createAndGet(s),
  );
  await t.test("build prints what the controller applies: targetNamespace and owner labels", () => build(s));
  await t.test("diff exits 0 when identical, 1 with the drift, the new and the pruned objects", () =>
    diff(s),
  );
  await t.test("reconcile --with-source fetches the pushed commit and applies it", () =>
    reconcileWithSource(s),
  );
  await t.test("tree lists the inventory, nested Kustomizations expanded", () => tree(s));
  await t.test("events --for shows the Kustomization's events", () => events(s));
  await t.test("events --watch streams new events until Ctrl-C", () => watchEvents(s));
  await t.test("suspend, resume and delete", () => suspendResumeDelete(s));
});

test("create kustomization --export prints YAML that kubectl applies as is", async (t) => {
  const { env, client, ns } = await cliCluster(t, "kcli", { crds: true });
  const exported = await sluice(
    "create ks podinfo --source GitRepository/podinfo.flux-system --path ./kustomize --prune --interval 10m " +
      "--wait --health-check Deployment/podinfo.apps --health-check-timeout 3m --target-namespace apps " +
      "--depends-on infra,flux-system/base --service-account deployer --retry-interval 1m --export " +
      "--kubeconfig /nonexistent/kubeconfig -n",
    ns,
  );
  expectExit(exported, 0);
  const doc = YAML.parse(exported.stdout) as KubeObject;
  assert.equal(doc.apiVersion, ksApi);
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "ks.yaml"), exported.stdout);
  expectExit(await kubectl(env, ["apply", "-f", path.join(dir, "ks.yaml")]), 0);
  const live = await client.get(ksApi, "Kustomization", "podinfo", ns);
  assert.deepEqual(live["spec"], {
    interval: "10m",
    path: "./kustomize",
    prune: true,
    sourceRef: { kind: "GitRepository", name: "podinfo", namespace: "flux-system" },
    retryInterval: "1m",
    timeout: "3m",
    targetNamespace: "apps",
    serviceAccountName: "deployer",
    wait: true,
    healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "podinfo", namespace: "apps" }],
    dependsOn: [{ name: "infra" }, { name: "base", namespace: "flux-system" }],
    force: false,
  });
});

test("bad Kustomization flags exit 2 with a message, before any call to the cluster", async () => {
  const ks = "create kustomization app --kubeconfig /nonexistent/kubeconfig";
  const k = "--kubeconfig /nonexistent/kubeconfig";
  const cases: [string, RegExp][] = [
    [`${ks}`, /required option '--source <source>' not specified/],
    [`${ks} --source HelmRepository/x`, /--source kind "HelmRepository" is not one of/],
    [`${ks} --source Bad_Name`, /--source "Bad_Name" is not a valid name/],
    [`${ks} --source x --path /abs`, /--path "\/abs" must be relative/],
    [`${ks} --source x --path ../up`, /--path "..\/up" leads outside the source/],
    [`${ks} --source x --interval 10min`, /--interval "10min": must be a duration/],
    [`${ks} --source x --health-check web`, /--health-check "web" is not/],
    [`${ks} --source x --health-check Deployment/web`, /lacks the namespace/],
    [
      `${ks} --source x --health-check Widget/w.ns`,
      /API version of kind Widget is not known[^]*hint: spell it out/,
    ],
    [`${ks} --source x --depends-on a/b/c`, /--depends-on "a\/b\/c" is not \[NAMESPACE\/\]NAME/],
    [`${ks} --source x --target-namespace Bad_NS`, /namespace "Bad_NS" is not valid/],
    [`build kustomization app --path /nonexistent/dir ${k}`, /--path "\/nonexistent\/dir" does not exist/],
    [`diff kustomization app --path /nonexistent/dir ${k}`, /--path "\/nonexistent\/dir" does not exist/],
    [`events --for Kustomization ${k}`, /--for "Kustomization" is not Kind\/NAME/],
    [`reconcile source git app --with-source ${k}`, /unknown option '--with-source'/],
    [`tree kustomization App_1 ${k}`, /"App_1" is not a valid name/],
  ];
  for (const [words, pattern] of cases) expectExit(await sluice(words), 2, pattern);
});

test("a missing Kustomization exits 1 (diff: 3) with its namespace and name", async (t) => {
  const { ns, kube } = await cliCluster(t, "kcli", { crds: true });
  const missing = new RegExp(`^error: Kustomization '${ns}/nope' not found\n`);
  for (const verb of ["reconcile", "suspend", "resume", "delete", "tree", "build"])
    expectExit(await run([verb, "kustomization", "nope", ...kube]), 1, missing);
  expectExit(await run(["diff", "kustomization", "nope", ...kube]), 3, missing);
  const empty = await run(["get", "kustomizations", ...kube]);
  expectExit(empty, 0, new RegExp(`✗ no Kustomization objects found in "${ns}" namespace`));
  const noEvents = await run(["events", ...kube]);
  expectExit(noEvents, 0, new RegExp(`✗ no events found in "${ns}" namespace`));
});
