import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { pushRepo } from "./helpers/git.ts";
import {
  applyGitRepository,
  conditionOf,
  fetchArtifact,
  readyFalse,
  readyTrue,
  sourceFixture,
  waitForGitRepository,
} from "./helpers/sources.ts";

const otherHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

test("ssh:// with an identity and pinned known_hosts reaches Ready; an unknown host key and a missing known_hosts are named", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-ssh");
  const name = `ssh-${randomBytes(3).toString("hex")}`;
  const { sha } = await pushRepo(env, name, { "a.yaml": "over: ssh\n" });
  const url = `${env.sshUrl}${env.gitRoot}/${name}.git`;
  const identity = await readFile(env.sshIdentityFile, "utf8");
  const [hostPattern] = env.sshKnownHosts.split(" ");
  const secret = async (secretName: string, data: Record<string, string>) =>
    client.apply(
      { apiVersion: "v1", kind: "Secret", metadata: { name: secretName, namespace: ns }, stringData: data },
      { fieldManager: "test" },
    );
  await secret("ssh", { identity, known_hosts: env.sshKnownHosts });
  await secret("ssh-other-host", { identity, known_hosts: `${hostPattern} ${otherHostKey}` });
  await secret("ssh-no-known-hosts", { identity });
  const spec = { url, interval: "1h", ref: { branch: "main" } };
  await applyGitRepository(client, ns, "ok", { ...spec, secretRef: { name: "ssh" } });
  await applyGitRepository(client, ns, "other-host", { ...spec, secretRef: { name: "ssh-other-host" } });
  await applyGitRepository(client, ns, "no-known-hosts", {
    ...spec,
    secretRef: { name: "ssh-no-known-hosts" },
  });

  const ready = await waitForGitRepository(client, ns, "ok", readyTrue, "Ready over SSH");
  assert.equal(ready.status?.artifact?.revision, `main@sha1:${sha}`);
  assert.equal((await fetchArtifact(ready.status.artifact)).get("a.yaml"), "over: ssh\n");

  const other = await waitForGitRepository(
    client,
    ns,
    "other-host",
    readyFalse("AuthenticationFailed"),
    "host key refused",
  );
  assert.match(conditionOf(other)!.message, /unknown or changed SSH host key/);
  const noKnownHosts = await waitForGitRepository(
    client,
    ns,
    "no-known-hosts",
    readyFalse("AuthenticationFailed"),
    "known_hosts required",
  );
  assert.match(conditionOf(noKnownHosts)!.message, /no 'known_hosts' key/);
  assert.equal(conditionOf(noKnownHosts, "Stalled")?.status, "True");
  for (const obj of [other, noKnownHosts]) assert.ok(!JSON.stringify(obj.status).includes("PRIVATE KEY"));
});
