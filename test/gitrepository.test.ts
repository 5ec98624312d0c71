import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { test, type TestContext } from "node:test";
import type { KubeObject } from "../src/kube/objects.ts";
import { pushRepo } from "./helpers/git.ts";
import {
  applyGitRepository,
  conditionOf,
  createGitAuthSecret,
  fetchArtifact,
  gitRepositoryApi,
  readyFalse,
  readyTrue,
  requestReconcile,
  sourceFixture,
  waitForGitRepository,
} from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const repoName = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

test("a branch becomes an artifact with Flux's revision format, served with its digest, ignore rules applied", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-branch");
  const name = repoName("branch");
  const { url, sha } = await pushRepo(env, name, {
    "deploy/app.yaml": "kind: ConfigMap\n",
    "docs/logo.png": "binary",
    "tmp/.sourceignore": "*.log\n",
    "tmp/debug.log": "noise",
    "tmp/keep.txt": "kept",
  });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "app", {
    url,
    interval: "5m",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });

  const ready = await waitForGitRepository(client, ns, "app", readyTrue, "Ready");
  assert.equal(ready.status?.artifact?.revision, `main@sha1:${sha}`);
  assert.equal(conditionOf(ready)?.reason, "Succeeded");
  assert.equal(conditionOf(ready, "ArtifactInStorage")?.status, "True");
  assert.ok(ready.metadata.finalizers?.includes("finalizers.fluxcd.io"));
  const files = await fetchArtifact(ready.status.artifact);
  assert.equal(files.get("deploy/app.yaml"), "kind: ConfigMap\n");
  assert.equal(files.get("tmp/keep.txt"), "kept");
  assert.ok(!files.has("tmp/debug.log"), ".sourceignore in a subdirectory applies");
  assert.ok(files.has("docs/logo.png"), "a .sourceignore replaces Flux's default exclusions, as in Flux");

  const events = await client.list("v1", "Event", { namespace: ns });
  const newArtifact = events.items.find((e) => e["reason"] === "NewArtifact");
  assert.match(String(newArtifact?.["message"]), /stored artifact for commit 'update /);
  assert.equal(newArtifact?.metadata.annotations?.["source.toolkit.fluxcd.io/revision"], `main@sha1:${sha}`);
});

test("a requested reconcile picks up a new commit and echoes lastHandledReconcileAt; an unchanged one keeps the artifact", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-update");
  const name = repoName("update");
  const { url } = await pushRepo(env, name, { "a.yaml": "v: 1\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "app", {
    url,
    interval: "1h",
    secretRef: { name: "auth" },
    ref: { branch: "main" },
  });
  const first = await waitForGitRepository(client, ns, "app", readyTrue, "Ready");

  const same = await requestReconcile(client, ns, "app");
  const unchanged = await waitForGitRepository(
    client,
    ns,
    "app",
    (o) => o.status?.lastHandledReconcileAt === same,
    "request handled",
  );
  assert.equal(unchanged.status?.artifact?.digest, first.status?.artifact?.digest);
  assert.equal(
    unchanged.status?.artifact?.lastUpdateTime,
    first.status?.artifact?.lastUpdateTime,
    "no new artifact for the same revision",
  );

  const { sha } = await pushRepo(env, name, { "a.yaml": "v: 2\n" });
  const at = await requestReconcile(client, ns, "app");
  const updated = await waitForGitRepository(
    client,
    ns,
    "app",
    (o) => o.status?.lastHandledReconcileAt === at,
    "second request handled",
  );
  assert.equal(updated.status?.artifact?.revision, `main@sha1:${sha}`);
  assert.equal((await fetchArtifact(updated.status.artifact)).get("a.yaml"), "v: 2\n");
});

test("tag, semver, commit and name refs resolve with Flux's precedence and revision format", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-refs");
  const name = repoName("refs");
  const v1 = await pushRepo(env, name, { "v.txt": "1.0.0" }, { tag: "v1.0.0" });
  const v12 = await pushRepo(env, name, { "v.txt": "1.2.0" }, { tag: "v1.2.0" });
  await pushRepo(env, name, { "v.txt": "2.0.0" }, { tag: "v2.0.0" });
  const head = await pushRepo(env, name, { "v.txt": "head" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const base = { url: v1.url, interval: "5m", secretRef: { name: "auth" } };
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["tag", { tag: "v1.0.0" }, `v1.0.0@sha1:${v1.sha}`, "1.0.0"],
    ["semver", { semver: "^1.0.0" }, `v1.2.0@sha1:${v12.sha}`, "1.2.0"],
    ["semver-over-tag", { semver: "~1.0", tag: "v2.0.0" }, `v1.0.0@sha1:${v1.sha}`, "1.0.0"],
    ["commit", { commit: v12.sha }, `sha1:${v12.sha}`, "1.2.0"],
    ["commit-with-branch", { branch: "main", commit: v1.sha }, `main@sha1:${v1.sha}`, "1.0.0"],
    ["name", { name: "refs/heads/main" }, `refs/heads/main@sha1:${head.sha}`, "head"],
  ];
  for (const [obj, ref] of cases) await applyGitRepository(client, ns, obj, { ...base, ref });
  for (const [obj, , revision, content] of cases) {
    const ready = await waitForGitRepository(client, ns, obj, readyTrue, "Ready");
    assert.equal(ready.status?.artifact?.revision, revision, obj);
    assert.equal((await fetchArtifact(ready.status.artifact)).get("v.txt"), content, obj);
  }
});

test("wrong and missing credentials fail with AuthenticationFailed without the secret, and recover when the Secret is fixed", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-auth");
  const { url } = await pushRepo(env, repoName("auth"), { "a.yaml": "a: 1\n" });
  await createGitAuthSecret(client, ns, "wrong", env.gitUsername, "not-the-password-123");
  await applyGitRepository(client, ns, "wrong", {
    url,
    interval: "5m",
    ref: { branch: "main" },
    secretRef: { name: "wrong" },
  });
  await applyGitRepository(client, ns, "missing", {
    url,
    interval: "5m",
    ref: { branch: "main" },
    secretRef: { name: "later" },
  });

  const wrong = await waitForGitRepository(
    client,
    ns,
    "wrong",
    readyFalse("AuthenticationFailed"),
    "AuthenticationFailed",
  );
  const message = conditionOf(wrong)!.message;
  assert.match(message, /authentication to .* failed: check the credentials in secret 'wrong'/);
  assert.ok(!message.includes("not-the-password-123"));
  assert.equal(conditionOf(wrong, "FetchFailed")?.status, "True");
  const missing = await waitForGitRepository(
    client,
    ns,
    "missing",
    readyFalse("AuthenticationFailed"),
    "missing secret",
  );
  assert.match(conditionOf(missing)!.message, new RegExp(`secret '${ns}/later' not found`));

  await createGitAuthSecret(client, ns, "wrong", env.gitUsername, env.gitPassword);
  await createGitAuthSecret(client, ns, "later", env.gitUsername, env.gitPassword);
  const fixed = await waitForGitRepository(
    client,
    ns,
    "wrong",
    readyTrue,
    "Ready after the Secret was fixed",
  );
  assert.equal(conditionOf(fixed, "FetchFailed"), undefined, "FetchFailed is cleared");
  await waitForGitRepository(client, ns, "missing", readyTrue, "Ready after the Secret appeared");
});

test("a missing branch, an unmatched semver range, an unreachable host, a hanging server and a file:// URL each get a named reason", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-faults");
  const { url } = await pushRepo(env, repoName("faults"), { "a.yaml": "a: 1\n" }, { tag: "v0.1.0" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const hang = await hangingServer(t);
  const auth = { secretRef: { name: "auth" }, interval: "5m" };
  await applyGitRepository(client, ns, "no-branch", { ...auth, url, ref: { branch: "nope" } });
  await applyGitRepository(client, ns, "no-semver", { ...auth, url, ref: { semver: ">=1.0.0" } });
  await applyGitRepository(client, ns, "unreachable", {
    ...auth,
    url: "http://127.0.0.1:1/x.git",
    ref: { branch: "main" },
  });
  await applyGitRepository(client, ns, "hanging", {
    ...auth,
    url: `${hang}/x.git`,
    timeout: "2s",
    ref: { branch: "main" },
  });
  await applyGitRepository(client, ns, "file", {
    interval: "5m",
    url: "file:///etc",
    ref: { branch: "main" },
  });
  await applyGitRepository(client, ns, "good", { ...auth, url, ref: { branch: "main" } });

  const expect: [string, string, RegExp][] = [
    ["no-branch", "GitOperationFailed", /branch 'nope' not found in .* \(branches: main\)/],
    ["no-semver", "GitOperationFailed", /no tag in .* matches semver range '>=1\.0\.0'/],
    ["unreachable", "GitOperationFailed", /cannot reach http:\/\/127\.0\.0\.1:1\/x\.git/],
    ["hanging", "GitOperationFailed", /timed out: raise spec\.timeout/],
    ["file", "URLInvalid", /file:\/\/ URLs are disabled on this server/],
  ];
  for (const [name, reason, message] of expect) {
    const obj = await waitForGitRepository(client, ns, name, readyFalse(reason), reason);
    assert.match(conditionOf(obj)!.message, message, name);
  }
  const stalled = await waitForGitRepository(
    client,
    ns,
    "file",
    (o) => conditionOf(o, "Stalled")?.status === "True",
    "Stalled",
  );
  assert.equal(stalled.status?.observedGeneration, stalled.metadata.generation);
  await waitForGitRepository(client, ns, "good", readyTrue, "the healthy object is unaffected");
});

test("include copies another GitRepository's artifact into a sub-path and follows its updates", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-include");
  const app = await pushRepo(env, repoName("app"), { "app.yaml": "app: 1\n" });
  const lib = await pushRepo(env, repoName("lib"), { "base/lib.yaml": "lib: 1\n", "other/x.yaml": "x\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const common = { interval: "1h", secretRef: { name: "auth" }, ref: { branch: "main" } };
  await applyGitRepository(client, ns, "lib", { ...common, url: lib.url });
  await applyGitRepository(client, ns, "app", {
    ...common,
    url: app.url,
    include: [{ repository: { name: "lib" }, fromPath: "base", toPath: "vendor/lib" }],
  });
  const ready = await waitForGitRepository(
    client,
    ns,
    "app",
    (o, r) => readyTrue(o, r) && (o.status?.includedArtifacts?.length ?? 0) === 1,
    "Ready with include",
  );
  const files = await fetchArtifact(ready.status!.artifact!);
  assert.equal(files.get("vendor/lib/lib.yaml"), "lib: 1\n");
  assert.ok(!files.has("vendor/lib/x.yaml") && !files.has("other/x.yaml"));

  await pushRepo(
    env,
    lib.url
      .split("/")
      .pop()!
      .replace(/\.git$/, ""),
    { "base/lib.yaml": "lib: 2\n" },
  );
  await requestReconcile(client, ns, "lib");
  const rebuilt = await waitForGitRepository(
    client,
    ns,
    "app",
    (o) => o.status?.artifact?.digest !== ready.status?.artifact?.digest,
    "rebuilt after the included repository changed",
  );
  assert.equal((await fetchArtifact(rebuilt.status!.artifact!)).get("vendor/lib/lib.yaml"), "lib: 2\n");
});

test("v1beta1 and v1beta2 objects reach Ready with the same revision format and a deprecation event", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-versions");
  const { url, sha } = await pushRepo(env, repoName("versions"), { "a.yaml": "a\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const spec = { url, interval: "5m", ref: { branch: "main" }, secretRef: { name: "auth" } };
  await applyGitRepository(
    client,
    ns,
    "beta1",
    { ...spec, gitImplementation: "go-git" },
    "source.toolkit.fluxcd.io/v1beta1",
  );
  await applyGitRepository(client, ns, "beta2", spec, "source.toolkit.fluxcd.io/v1beta2");
  for (const name of ["beta1", "beta2"]) {
    const ready = await waitForGitRepository(client, ns, name, readyTrue, "Ready");
    assert.equal(ready.status?.artifact?.revision, `main@sha1:${sha}`);
  }
  const deprecations = await waitFor("deprecation event", async () => {
    const events = (await client.list("v1", "Event", { namespace: ns })).items.filter(
      (e) => e["reason"] === "DeprecatedField",
    );
    return events.length ? events : undefined;
  });
  assert.equal(deprecations.length, 1, "reported once");
  assert.match(String(deprecations[0]!["message"]), /spec\.gitImplementation/);
});

test("suspend stops reconciles, ignore is observed, and deleting the object removes its artifact", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "gr-lifecycle");
  const name = repoName("life");
  const { url } = await pushRepo(env, name, { "a.yaml": "1\n", "b.txt": "b" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "app", {
    url,
    interval: "1h",
    secretRef: { name: "auth" },
    ref: { branch: "main" },
    ignore: "*.txt\n",
  });
  const ready = await waitForGitRepository(client, ns, "app", readyTrue, "Ready");
  assert.equal(ready.status?.observedIgnore, "*.txt\n");
  assert.ok(!(await fetchArtifact(ready.status.artifact!)).has("b.txt"));

  await client.patch(
    { apiVersion: gitRepositoryApi, kind: "GitRepository", name: "app", namespace: ns },
    { spec: { suspend: true } },
  );
  await pushRepo(env, name, { "a.yaml": "2\n" });
  await requestReconcile(client, ns, "app");
  await new Promise((r) => setTimeout(r, 2000));
  const suspended = await client.get<KubeObject & { status?: { artifact?: { revision: string } } }>(
    gitRepositoryApi,
    "GitRepository",
    "app",
    ns,
  );
  assert.equal(
    suspended.status?.artifact?.revision,
    ready.status?.artifact?.revision,
    "a suspended object keeps its artifact",
  );

  await client.delete(gitRepositoryApi, "GitRepository", "app", ns);
  await waitFor("the object to be gone", async () =>
    (await client.list(gitRepositoryApi, "GitRepository", { namespace: ns })).items.length === 0
      ? true
      : undefined,
  );
  const res = await fetch(ready.status.artifact!.url);
  assert.equal(res.status, 404, "the artifact was garbage-collected with the object");
});

/** An HTTP server that accepts connections and never answers, to exercise timeouts. */
async function hangingServer(t: TestContext): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
