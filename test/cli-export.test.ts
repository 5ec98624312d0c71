import assert from "node:assert/strict";
import { test } from "node:test";
import { cliCluster, expectExit, run } from "./helpers/cli.ts";

const api = "source.toolkit.fluxcd.io/v1";

test("export prints what a person writes: no status, no server-set metadata; --all prints every one", async (t) => {
  const { client, ns, kube } = await cliCluster(t, "export", { crds: true });
  for (const name of ["b", "a"]) {
    await client.apply(
      {
        apiVersion: api,
        kind: "GitRepository",
        metadata: {
          name,
          namespace: ns,
          labels: { team: "x" },
          annotations: { "reconcile.fluxcd.io/requestedAt": "now", note: "kept" },
        },
        spec: { url: "https://example.com/repo", interval: "5m", ref: { branch: "main" } },
      },
      { fieldManager: "test" },
    );
  }
  await client.apply(
    {
      apiVersion: api,
      kind: "GitRepository",
      metadata: { name: "a", namespace: ns },
      status: { observedGeneration: 1 },
    },
    { fieldManager: "test", subresource: "status" },
  );

  const one = await run(["export", "source", "git", "a", ...kube]);
  expectExit(one, 0);
  assert.equal(
    one.stdout,
    [
      "---",
      `apiVersion: ${api}`,
      "kind: GitRepository",
      "metadata:",
      "  name: a",
      `  namespace: ${ns}`,
      "  labels:",
      "    team: x",
      "  annotations:",
      "    note: kept",
      "spec:",
      "  interval: 5m",
      "  ref:",
      "    branch: main",
      "  timeout: 60s",
      "  url: https://example.com/repo",
      "",
    ].join("\n"),
  );
  const all = await run(["export", "source", "git", "--all", ...kube]);
  expectExit(all, 0);
  assert.deepEqual(
    [...all.stdout.matchAll(/^  name: (\w+)$/gm)].map((m) => m[1]),
    ["a", "b"],
  );

  expectExit(await run(["export", "source", "git", ...kube]), 2, /name a GitRepository or pass --all/);
  expectExit(await run(["export", "source", "git", "nope", ...kube]), 1, /GitRepository .*nope.* not found/);
});
