import assert from "node:assert/strict";
import { test } from "node:test";
import { renderCommitMessage, templateData } from "../../automation/commit-template.ts";
import type { FileResult } from "../../automation/setters.ts";
import {
  autoReleaseTemplate,
  imageObjects,
  scanWorkloads,
  syncObjects,
  type FluxV1Options,
} from "./objects.ts";

const options: FluxV1Options = {
  namespace: "flux",
  gitUrl: "ssh://git@example.com/org/repo",
  gitBranch: "master",
  gitPath: "deploy",
  gitCiSkip: true,
  gitPollInterval: "1m",
  syncInterval: "2m",
  automationInterval: "3m",
  gitUser: "Weave Flux",
  gitEmail: "support@weave.works",
  gitSecret: "flux-git-deploy",
  garbageCollection: false,
  registryInsecureHosts: ["localhost:5000"],
};

const change = (image: string, tag: string) => ({
  line: 1,
  column: 1,
  policy: `flux:${image}`,
  setter: `default:deployment/${image}:c`,
  field: "image" as const,
  from: `localhost:5000/${image}:0`,
  to: `localhost:5000/${image}:${tag}`,
  image: `localhost:5000/${image}:${tag}`,
  object: { apiVersion: "apps/v1", kind: "Deployment", name: image, namespace: "" },
});

const render = (files: FileResult[], ciSkip: boolean) =>
  renderCommitMessage(
    autoReleaseTemplate(ciSkip),
    templateData({ namespace: "flux", name: "flux-v1" }, { files }),
  );

test("release commits read as v1's: one image, several images, [ci skip] only when asked", () => {
  const one: FileResult[] = [{ file: "a.yaml", repoPath: "deploy/a.yaml", changes: [change("a", "1.0.1")] }];
  assert.equal(render(one, true), "Auto-release localhost:5000/a:1.0.1\n\n[ci skip]");
  assert.equal(render(one, false), "Auto-release localhost:5000/a:1.0.1");
  const two: FileResult[] = [
    { file: "a.yaml", repoPath: "deploy/a.yaml", changes: [change("a", "1.0.1"), change("b", "2.0.0")] },
  ];
  assert.equal(
    render(two, false),
    "Auto-release multiple (2) images\n\n - localhost:5000/a:1.0.1\n - localhost:5000/b:2.0.0\n",
  );
});

test("sync objects carry the v1 flags: branch, path, intervals, secret, pruning only with garbage collection", () => {
  type Generated = { metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> };
  const objects = (o: FluxV1Options) => syncObjects(o) as unknown as Generated[];
  const [repo, kustomization, automation] = objects(options);
  assert.deepEqual(repo?.spec, {
    url: options.gitUrl,
    ref: { branch: "master" },
    interval: "1m",
    secretRef: { name: "flux-git-deploy" },
  });
  assert.equal(kustomization?.spec.prune, false);
  assert.equal(kustomization?.spec.path, "./deploy");
  assert.equal(automation?.metadata.annotations?.["image.toolkit.sluice.dev/flux-v1-workloads"], "true");
  assert.equal(objects({ ...options, garbageCollection: true })[1]?.spec.prune, true);
});

test("one ImageRepository per image, one ImagePolicy per container; a bad filter is a problem, not an object", () => {
  const yaml = (name: string, filter: string) =>
    [
      "kind: Deployment",
      `metadata: {name: ${name}, annotations: {fluxcd.io/automated: "true", fluxcd.io/tag.c: "${filter}"}}`,
      "spec: {template: {spec: {containers: [{name: c, image: localhost:5000/app:1}]}}}",
    ].join("\n");
  const scan = scanWorkloads(
    new Map([
      ["a.yaml", yaml("a", "semver:^1")],
      ["b.yaml", `${yaml("b", "glob:1.*")}\n---\n${yaml("c", "latest")}`],
      ["broken.yaml", "fluxcd.io/automated: [\n"],
    ]),
  );
  assert.deepEqual(scan.problems, ["broken.yaml: not valid YAML"]);
  const generated = imageObjects(options, scan.containers);
  assert.deepEqual(
    generated.objects.map((o) => o.kind),
    ["ImageRepository", "ImagePolicy", "ImagePolicy"],
  );
  assert.equal((generated.objects[0]?.spec as { insecure?: boolean }).insecure, true);
  assert.equal(generated.problems.length, 1);
  assert.match(
    generated.problems[0] ?? "",
    /default:deployment\/c container c: tag filter "latest": unknown kind/,
  );
});
