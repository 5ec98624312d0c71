import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { TestReceiver } from "../src/notification/external-service.test-support.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { startTestServer } from "./helpers/server.ts";
import { applyGitRepository, createGitAuthSecret } from "./helpers/sources.ts";
import { waitFor } from "./helpers/wait.ts";

const api = "notification.toolkit.fluxcd.io/v1beta3";

test("Alerts deliver controller events to a signed generic-hmac webhook and report commit status to a GitHub-compatible API", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "alerts");
  const hook = new TestReceiver();
  const hookUrl = await hook.start();
  t.after(() => hook.stop());
  await startTestServer(t, client, { namespace: ns, controllers: ["gitrepository", "alert"] });
  const token = "hmac-secret-for-alerts";
  const secret = (name: string, data: Record<string, string>) =>
    client.apply(
      { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData: data },
      { fieldManager: "test" },
    );
  await secret("hook", { token, address: `${hookUrl}/events` });
  await secret("github", { token: "gh-token" });
  const apply = (kind: string, name: string, spec: Record<string, unknown>) =>
    client.apply(
      { apiVersion: api, kind, metadata: { name, namespace: ns }, spec },
      { fieldManager: "test" },
    );
  await apply("Provider", "hook", { type: "generic-hmac", secretRef: { name: "hook" } });
  await apply("Provider", "github", {
    type: "github",
    address: `${hookUrl}/org/config`,
    secretRef: { name: "github" },
  });
  await apply("Alert", "all", {
    providerRef: { name: "hook" },
    eventSeverity: "info",
    eventSources: [{ kind: "GitRepository", name: "*" }],
    exclusionList: ["ignore-me"],
  });
  await apply("Alert", "status", {
    providerRef: { name: "github" },
    eventSources: [{ kind: "GitRepository", name: "*" }],
  });

  const { url, sha } = await pushRepo(env, `alerts-${ns}`, { "a.yaml": "a\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  await applyGitRepository(client, ns, "config", {
    url,
    interval: "1h",
    ref: { branch: "main" },
    secretRef: { name: "auth" },
  });

  const delivered = await waitFor("the NewArtifact notification", () =>
    Promise.resolve(hook.requests.find((r) => r.path === "/events" && r.body.includes("NewArtifact"))),
  );
  assert.equal(
    delivered.headers["x-signature"],
    `sha256=${createHmac("sha256", token).update(delivered.body).digest("hex")}`,
  );
  const event = JSON.parse(delivered.body) as {
    involvedObject: { kind: string; name: string };
    severity: string;
    reason: string;
    metadata: Record<string, string>;
  };
  assert.deepEqual(
    [event.involvedObject.kind, event.involvedObject.name, event.severity, event.reason],
    ["GitRepository", "config", "info", "NewArtifact"],
  );
  assert.equal(event.metadata["revision"], `main@sha1:${sha}`);

  const status = await waitFor("a commit status", () =>
    Promise.resolve(
      hook.requests.find((r) => r.path.includes(`/repos/org/config/statuses/${sha}`) && r.method === "POST"),
    ),
  );
  assert.equal(status.headers["authorization"], "Bearer gh-token");
  const body = JSON.parse(status.body) as { state: string; context: string };
  assert.equal(body.state, "success");
  assert.match(body.context, /^gitrepository\/config/);
});
