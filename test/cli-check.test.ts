import assert from "node:assert/strict";
import { test } from "node:test";
import { cliCluster, expectExit, run, show } from "./helpers/cli.ts";

test("check --pre reports the Kubernetes version against the minimum", async (t) => {
  const { kube } = await cliCluster(t, "check-pre");
  const result = await run(["check", "--pre", ...kube]);
  expectExit(
    result,
    0,
    /► checking prerequisites\n✔ Kubernetes 1\.\d+\.\d+ >=1\.28\.0-0\n✔ prerequisites checks passed/,
  );
});

test("check fails without an installation, then passes once installed, listing only the installed CRDs", async (t) => {
  const { kube } = await cliCluster(t, "check", { crds: true });
  const missing = await run(["check", ...kube]);
  expectExit(missing, 1, /✗ sluice-server: deployment not found in check-\S+ namespace/);
  assert.match(missing.stderr, /error: check failed/, show(missing));

  t.after(() => run(["uninstall", ...kube, "--silent", "--keep-crds"]));
  expectExit(await run(["install", ...kube, "--components", "gitrepository", "--timeout", "2m"]), 0);
  const passed = await run(["check", ...kube]);
  expectExit(passed, 0, /✔ sluice-server: deployment ready\n► ghcr\.io\/sluice\/sluice:v/);
  assert.match(
    passed.stderr,
    /► checking crds\n✔ gitrepositories\.source\.toolkit\.fluxcd\.io\/v1\n✔ all checks passed/,
  );
  assert.doesNotMatch(passed.stderr, /kustomizations/, show(passed));
});
