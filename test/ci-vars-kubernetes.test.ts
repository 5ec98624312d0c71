import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test, type TestContext } from "node:test";
import { interpolate, UndefinedVarsError } from "../src/ci/vars/interpolate.ts";
import { KubernetesVarSource } from "../src/ci/vars/kubernetes.ts";
import { Redactor, redactingSource } from "../src/ci/vars/redactor.ts";
import { VarLookupError } from "../src/ci/vars/source.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { adminClient } from "./helpers/kube.ts";

const suffix = () => randomBytes(4).toString("hex");

async function namespace(t: TestContext, client: KubeClient, name: string): Promise<string> {
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  t.after(() => client.delete("v1", "Namespace", name).catch(() => {}));
  return name;
}

async function secret(client: KubeClient, ns: string, name: string, stringData: Record<string, string>) {
  await client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData },
    { fieldManager: "test", force: true },
  );
}

test("Secrets in concourse-<team>: <pipeline>.<var> before <var>, a value key or fields", async (t) => {
  const client = await adminClient(t);
  const team = `team-${suffix()}`;
  const ns = await namespace(t, client, `concourse-${team}`);
  await secret(client, ns, "git", {
    url: "https://git.example",
    username: "team-user",
    password: "team-pass",
  });
  await secret(client, ns, "demo.git", {
    url: "https://git.example",
    username: "demo-user",
    password: "demo-pass",
  });
  await secret(client, ns, "registry", { value: "registry.example" });
  await secret(client, ns, "demo.tag", { value: "1.0", other: "ignored" });

  const doc = {
    uri: "((git.url))/kuberocks/demo",
    username: "((git.username))",
    password: "((git.password))",
    repository: "((registry))/kuberocks/demo",
    tag: "((tag))",
  };
  assert.deepEqual(await interpolate(doc, new KubernetesVarSource(client, { team, pipeline: "demo" })), {
    uri: "https://git.example/kuberocks/demo",
    username: "demo-user",
    password: "demo-pass",
    repository: "registry.example/kuberocks/demo",
    tag: "1.0",
  });
  const other = new KubernetesVarSource(client, { team, pipeline: "other" });
  assert.deepEqual(await interpolate({ u: "((git.username))", all: "((git))" }, other), {
    u: "team-user",
    all: { url: "https://git.example", username: "team-user", password: "team-pass" },
  });
  await assert.rejects(
    interpolate("((git.token))", other),
    /var \(\(git\.token\)\): git has no field "token" \(its fields: password, url, username\) \(the var was found in Secret concourse-team-\w+\/git\)/,
  );
  await assert.rejects(
    interpolate("((registry.field))", other),
    /cannot read field "field": registry is a string/,
  );
});

test("a missing var fails with every place looked in, never a value", async (t) => {
  const client = await adminClient(t);
  const team = `team-${suffix()}`;
  const ns = await namespace(t, client, `concourse-${team}`);
  await secret(client, ns, "found", { value: "s3cr3t-value" });
  const source = new KubernetesVarSource(client, { team, pipeline: "demo" });

  let caught: unknown;
  await interpolate({ a: "((found))-((missing.field))", b: ["((missing))"] }, source).catch(
    (err: unknown) => {
      caught = err;
    },
  );
  assert.ok(caught instanceof UndefinedVarsError);
  assert.deepEqual(caught.vars, [
    {
      name: "((missing.field))",
      usedAt: ["a"],
      lookedIn: [`Secret ${ns}/demo.missing`, `Secret ${ns}/missing`],
    },
    {
      name: "((missing))",
      usedAt: ["b[0]"],
      lookedIn: [`Secret ${ns}/demo.missing`, `Secret ${ns}/missing`],
    },
  ]);
  assert.doesNotMatch(caught.message, /s3cr3t/);
  // a var name that cannot be a Secret name is simply not found
  await assert.rejects(interpolate("((Not_A_Secret_Name))", source), UndefinedVarsError);

  // a team whose namespace does not exist has no vars; that is not an error of its own
  const noNamespace = new KubernetesVarSource(client, { team: `absent-${suffix()}` });
  await assert.rejects(interpolate("((x))", noNamespace), /looked in: Secret concourse-absent-\w+\/x$/);
});

test("the namespace prefix is configurable, and a shared namespace is looked in last", async (t) => {
  const client = await adminClient(t);
  const prefix = `ci-${suffix()}-`;
  const teamNs = await namespace(t, client, `${prefix}main`);
  const sharedNs = await namespace(t, client, `${prefix}shared`);
  await secret(client, teamNs, "token", { value: "team-token" });
  await secret(client, sharedNs, "token", { value: "shared-token" });
  await secret(client, sharedNs, "registry", { value: "shared-registry" });

  const source = new KubernetesVarSource(client, {
    team: "main",
    pipeline: "demo",
    namespacePrefix: prefix,
    sharedNamespaceSuffix: "shared",
  });
  assert.deepEqual(await interpolate(["((token))", "((registry))"], source), [
    "team-token",
    "shared-registry",
  ]);
  assert.deepEqual(source.lookedIn({ source: "", path: "x", fields: [] }), [
    `Secret ${teamNs}/demo.x`,
    `Secret ${teamNs}/x`,
    `Secret ${sharedNs}/x`,
  ]);
  const defaultPrefix = new KubernetesVarSource(client, { team: "main" });
  assert.deepEqual(defaultPrefix.lookedIn({ source: "", path: "x", fields: [] }), [
    "Secret concourse-main/x",
  ]);
});

test("a source reads each Secret once; the next source sees a rotated value; values reach the redactor", async (t) => {
  const client = await adminClient(t);
  const team = `team-${suffix()}`;
  const ns = await namespace(t, client, `concourse-${team}`);
  await secret(client, ns, "git", { username: "bot", password: "old-password" });

  const redactor = new Redactor();
  const build = redactingSource(new KubernetesVarSource(client, { team }), redactor);
  assert.equal(await interpolate("((git.password))", build), "old-password");
  await secret(client, ns, "git", { username: "bot", password: "new-password" });
  assert.equal(await interpolate("((git.password))", build), "old-password");
  assert.equal(
    await interpolate("((git.password))", new KubernetesVarSource(client, { team })),
    "new-password",
  );
  // what was resolved is redacted (the password), not the rest of the Secret, as in Concourse
  assert.equal(redactor.redact("pushing as bot with old-password"), "pushing as bot with ((redacted))");
});

test("a 403 names the namespace and the RBAC the server needs", async (t) => {
  const client = await adminClient(t);
  const team = `team-${suffix()}`;
  const ns = await namespace(t, client, `concourse-${team}`);
  await secret(client, ns, "git", { value: "v" });
  const source = new KubernetesVarSource(client.impersonating(`nobody-${suffix()}`), {
    team,
    pipeline: "demo",
  });
  await assert.rejects(interpolate("((git))", source), (err: unknown) => {
    assert.ok(err instanceof VarLookupError);
    assert.match(
      err.message,
      new RegExp(
        `^var \\(\\(git\\)\\): reading Secret ${ns}/demo\\.git is forbidden: the server's identity needs RBAC permission to "get" "secrets" in namespace ${ns}`,
      ),
    );
    return true;
  });
});
