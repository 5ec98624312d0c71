import assert from "node:assert/strict";
import { test } from "node:test";
import { expectExit, kubeFlags, run, show } from "./helpers/cli.ts";
import { pushRepo } from "./helpers/git.ts";
import {
  applyGitRepository,
  createGitAuthSecret,
  readyFalse,
  readyTrue,
  sourceFixture,
  waitForGitRepository,
} from "./helpers/sources.ts";

test("stats counts running, failing and suspended objects per kind, and the artifacts' storage", async (t) => {
  const { env, client, ns } = await sourceFixture(t, "stats");
  const repo = await pushRepo(env, `stats-${ns}`, { "a.yaml": "kind: ConfigMap\n" });
  await createGitAuthSecret(client, ns, "auth", env.gitUsername, env.gitPassword);
  const spec = { url: repo.url, interval: "1h", ref: { branch: "main" }, secretRef: { name: "auth" } };
  await applyGitRepository(client, ns, "good", spec);
  await applyGitRepository(client, ns, "missing-branch", { ...spec, ref: { branch: "nope" } });
  await applyGitRepository(client, ns, "paused", { ...spec, suspend: true });
  await waitForGitRepository(client, ns, "good", readyTrue);
  await waitForGitRepository(client, ns, "missing-branch", readyFalse("GitOperationFailed"));

  const result = await run(["stats", ...kubeFlags(env, ns)]);
  expectExit(result, 0);
  const lines = result.stdout.split("\n");
  assert.match(lines[0] ?? "", /^RECONCILERS\s+RUNNING\s+FAILING\s+SUSPENDED\s+STORAGE$/, show(result));
  assert.match(result.stdout, /\nGitRepository\s+2\s+2\s+1\s+\d+ B\n/, show(result));
  assert.match(result.stdout, /\nKustomization\s+0\s+0\s+0\s+-\n/, show(result));
});
