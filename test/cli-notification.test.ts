/**
 * The notification verbs as a Flux user tries them: `bin/sluice` run as a subprocess against the
 * real API server, with the Receiver and GitRepository controllers (and the receiver server)
 * running in this process for `create receiver` and `trigger receiver`.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import type { DevEnv } from "../src/dev/env-file.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { cliCluster, expectExit, expectRow, kubectl, rows, sluice, tempDir } from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import { startTestServer } from "./helpers/server.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyTrue,
  waitForGitRepository,
} from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const api = "notification.toolkit.fluxcd.io";
const nowhere = ["--kubeconfig", "/nonexistent/kubeconfig"];

test("create receiver|alert-provider|alert --export prints YAML that kubectl applies as is", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "ncli", { crds: true });
  const receiver = await sluice(
    "create receiver hook --type github --event push --event ping --resource GitRepository/podinfo" +
      " --resource Kustomization/*.apps --secret-ref webhook-token --export",
    ...nowhere,
    "-n",
    ns,
  );
  const provider = await sluice(
    "create alert-provider slack --type slack --channel general --username sluice --secret-ref slack-url --export",
    "--address",
    "https://hooks.slack.com/services/x",
    ...nowhere,
    "-n",
    ns,
  );
  const alert = await sluice(
    "create alert on-call --provider-ref slack --event-source GitRepository/podinfo.other,kustomization/*" +
      " --event-severity error --export",
    ...nowhere,
    "-n",
    ns,
  );
  for (const [out, version] of [
    [receiver, "v1"],
    [provider, "v1beta3"],
    [alert, "v1beta3"],
  ] as const) {
    expectExit(out, 0);
    assert.equal((YAML.parse(out.stdout) as KubeObject).apiVersion, `${api}/${version}`);
  }

  const file = path.join(await tempDir(t), "notification.yaml");
  await writeFile(file, receiver.stdout + provider.stdout + alert.stdout);
  expectExit(await kubectl(env, ["apply", "-f", file]), 0);
  const live = (version: string, kind: string, name: string) =>
    client.get(`${api}/${version}`, kind, name, ns).then((o) => o["spec"]);
  assert.deepEqual(await live("v1", "Receiver", "hook"), {
    type: "github",
    events: ["push", "ping"],
    resources: [
      { kind: "GitRepository", name: "podinfo" },
      { kind: "Kustomization", name: "*", namespace: "apps" },
    ],
    secretRef: { name: "webhook-token" },
    interval: "10m",
  });
  assert.deepEqual(await live("v1beta3", "Provider", "slack"), {
    type: "slack",
    address: "https://hooks.slack.com/services/x",
    channel: "general",
    username: "sluice",
    secretRef: { name: "slack-url" },
  });
  assert.deepEqual(await live("v1beta3", "Alert", "on-call"), {
    providerRef: { name: "slack" },
    eventSeverity: "error",
    eventSources: [
      { kind: "GitRepository", name: "podinfo", namespace: "other" },
      { kind: "Kustomization", name: "*" },
    ],
  });

  // statusless kinds: READY is "-"; suspend, resume and delete act without waiting for a reconcile
  const alerts = await sluice("get alerts", ...kube);
  expectExit(alerts, 0);
  assert.deepEqual(rows(alerts.stdout), [
    ["NAME", "SUSPENDED", "READY", "MESSAGE"],
    ["on-call", "False", "-"],
  ]);
  expectRow(await sluice("get alert-providers", ...kube), "slack", "False", "-");
  expectExit(await sluice("suspend alert on-call", ...kube), 0, /✔ alert suspended/);
  expectRow(await sluice("get alert on-call", ...kube), "on-call", "True", "-");
  expectExit(await sluice("resume alert on-call", ...kube), 0, /✔ alert resumed/);
  expectRow(await sluice("get alerts on-call", ...kube), "on-call", "False", "-");
  expectExit(await sluice("reconcile alert on-call", ...kube), 2);
  expectExit(await sluice("delete alert-provider slack --silent", ...kube), 0, /✔ alert-provider deleted/);
  expectExit(await sluice("get alert-providers slack", ...kube), 1, /Provider '.*\/slack' not found/);

  // create without --export applies a statusless kind at once
  const applied = await sluice("create alert-provider generic --type generic", ...kube);
  expectExit(applied, 0, /✔ Provider created/);
  assert.doesNotMatch(applied.stderr, /waiting/);
});

test("invalid notification flags exit 2 with the flag named, before any call to the cluster", async () => {
  const receiver = "create receiver r --secret-ref token";
  const cases: [string[], RegExp][] = [
    [[receiver, "--type", "svn", "--resource", "GitRepository/x"], /--type "svn"/],
    [[receiver, "--type", "github"], /required option '--resource/],
    [[receiver, "--type", "github", "--resource", "podinfo"], /--resource "podinfo" must be KIND\/NAME/],
    [
      [receiver, "--type", "github", "--resource", "Deployment/web"],
      /--resource "Deployment\/web": unknown kind/,
    ],
    [
      [receiver, "--type", "github", "--resource", "GitRepository/Bad_Name"],
      /--resource "Bad_Name" is not a valid/,
    ],
    [["create receiver r --type github --resource GitRepository/x"], /required option '--secret-ref/],
    [["create receiver R --type github --resource GitRepository/x --secret-ref t"], /Receiver name "R"/],
    [["create alert-provider p --type pigeon"], /--type "pigeon"/],
    [["create alert-provider p"], /required option '--type/],
    [
      ["create alert a --provider-ref p --event-source GitRepository/x --event-severity warn"],
      /--event-severity "warn"/,
    ],
    [["create alert a --event-source GitRepository/x"], /required option '--provider-ref/],
    [["create alert a --provider-ref p"], /required option '--event-source/],
    [["create alert a --provider-ref p --event-source Kustomization/*.Bad"], /namespace "Bad" is not valid/],
    [["trigger receiver r --receiver-url ftp://host"], /--receiver-url "ftp:\/\/host" must be an http/],
    [["trigger receiver r --receiver-url not-a-url"], /--receiver-url "not-a-url" is not a URL/],
  ];
  // no --export: a valid command would try the (nonexistent) cluster and exit 1
  const runs = await Promise.all(cases.map(([[words, ...rest]]) => sluice(words!, ...rest, ...nowhere)));
  runs.forEach((r, i) => expectExit(r, 2, cases[i]![1]));
});

const requestedAt = (obj: KubeObject) => obj.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];

/** A GitRepository `config` that fetched a pushed repository, and the Secret `webhook-token`. */
async function gitRepositoryAndToken(client: KubeClient, env: DevEnv, ns: string): Promise<void> {
  const first = await pushRepo(env, `ncli-${ns}`, { "a.yaml": "v: 1\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url: first.url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });
  await waitForGitRepository(client, ns, "config", readyTrue, "Ready");
  await client.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "webhook-token", namespace: ns },
    stringData: { token: "a-long-webhook-token-0123456789\n" },
  });
}

test("create receiver waits and prints its path; trigger receiver makes the GitRepository reconcile", async (t) => {
  const { env, client, ns, kube } = await cliCluster(t, "ncli-recv");
  const server = await startTestServer(t, client, {
    namespace: ns,
    controllers: ["receiver", "gitrepository"],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
  });
  await gitRepositoryAndToken(client, env, ns);

  const trigger = ["--receiver-url", server.receiverUrl!, ...kube];
  const types: [string, string[]][] = [
    ["github", ["--event", "push"]],
    ["gitlab", ["--event", "Push Hook"]],
    ["generic-hmac", []],
    ["generic", []],
    ["distribution", []],
  ];
  for (const [type, events] of types) {
    const created = await sluice(
      `create receiver ${type} --type ${type} --resource GitRepository/config --secret-ref webhook-token`,
      ...events,
      ...kube,
    );
    expectExit(
      created,
      0,
      /✔ Receiver reconciliation completed\n✔ generated webhook URL \/hook\/[0-9a-f]{64}\n/,
    );

    const before = requestedAt(
      await client.get("source.toolkit.fluxcd.io/v1", "GitRepository", "config", ns),
    );
    const sent = await sluice(`trigger receiver ${type}`, ...trigger);
    expectExit(sent, 0, /✔ webhook accepted: 200/);
    await waitFor(`${type} webhook to annotate the GitRepository`, async () => {
      const repo = await client.get("source.toolkit.fluxcd.io/v1", "GitRepository", "config", ns);
      const at = requestedAt(repo);
      return at !== undefined && at !== before ? at : undefined;
    });
  }

  const receivers = await sluice("get receivers", ...kube);
  expectExit(receivers, 0);
  assert.deepEqual(rows(receivers.stdout)[0], ["NAME", "SUSPENDED", "READY", "MESSAGE"]);
  expectRow(receivers, "distribution", "False", "True");
  const github = await client.get<KubeObject & { status?: { webhookPath?: string } }>(
    `${api}/v1`,
    "Receiver",
    "github",
    ns,
  );
  expectRow(
    await sluice("get receiver github", ...kube),
    "github",
    "False",
    "True",
    `Receiver initialized for path: ${github.status?.webhookPath}`,
  );
  expectExit(await sluice("reconcile receiver github", ...kube), 0, /✔ generated webhook URL \/hook\//);

  // a wrong base URL: the server answers 404 and the command exits 1
  expectExit(
    await sluice("trigger receiver github --receiver-url", `${server.receiverUrl}/elsewhere`, ...kube),
    1,
    /the receiver answered 404/,
  );
  expectExit(
    await sluice("trigger receiver missing", ...trigger),
    1,
    new RegExp(`Receiver '${ns}/missing' not found`),
  );
});
