import assert from "node:assert/strict";
import { test } from "node:test";
import { applySetters } from "./setters.ts";
import {
  globPattern,
  imageRepository,
  markerSuggestions,
  policyForTagFilter,
  readWorkloadAutomation,
  TagFilterError,
  workloadPolicyName,
} from "./workload-images.ts";

const workload = (annotations: string[], image = "reg:5000/hello:1.0.0") =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: hello",
    "  namespace: demo",
    "  annotations:",
    ...annotations.map((a) => `    ${a}`),
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "        - name: helloworld",
    `          image: ${image}   # keep me`,
    "        - name: sidecar",
    "          image: reg:5000/sidecar:1.0",
    "",
  ].join("\n");

const id = { namespace: "demo", kind: "Deployment", name: "hello" };
const policies = new Map([
  [`flux-system:${workloadPolicyName(id, "helloworld")}`, { name: "reg:5000/hello", tag: "1.0.1" }],
]);

test("an automated workload's container gets the image its policy selected; the rest is byte for byte", () => {
  const text = workload([
    'flux.weave.works/automated: "true"',
    "flux.weave.works/tag.helloworld: semver:~1.0",
  ]);
  const result = applySetters(text, policies, { workloadPolicyNamespace: "flux-system" });
  assert.equal(result.text, text.replace("hello:1.0.0", "hello:1.0.1"));
  assert.equal(result.changes.length, 1);
  assert.equal(result.changes[0]?.setter, "demo:deployment/hello:helloworld");
  assert.equal(result.changes[0]?.object.name, "hello");
});

test("the fluxcd.io spelling works too", () => {
  const text = workload(['fluxcd.io/automated: "true"', "fluxcd.io/tag.helloworld: semver:~1.0"]);
  const result = applySetters(text, policies, { workloadPolicyNamespace: "flux-system" });
  assert.match(result.text, /hello:1\.0\.1/);
});

test("a locked workload, a workload not automated, and setters not asked for v1 are left alone", () => {
  const locked = workload([
    'flux.weave.works/automated: "true"',
    'flux.weave.works/locked: "true"',
    "flux.weave.works/tag.helloworld: semver:~1.0",
  ]);
  const manual = workload(["flux.weave.works/tag.helloworld: semver:~1.0"]);
  const automated = workload([
    'flux.weave.works/automated: "true"',
    "flux.weave.works/tag.helloworld: semver:~1.0",
  ]);
  for (const [text, options] of [
    [locked, { workloadPolicyNamespace: "flux-system" }],
    [manual, { workloadPolicyNamespace: "flux-system" }],
    [automated, {}],
  ] as const) {
    const result = applySetters(text, policies, options);
    assert.equal(result.text, text);
    assert.equal(result.changes.length, 0);
  }
});

test("a policy that is not there yet is reported as skipped, naming it", () => {
  const text = workload([
    'flux.weave.works/automated: "true"',
    "flux.weave.works/tag.helloworld: semver:~1.0",
  ]);
  const result = applySetters(text, new Map(), { workloadPolicyNamespace: "flux-system" });
  assert.equal(result.text, text);
  assert.equal(result.skipped[0]?.reason, "unknown-policy");
  assert.match(result.skipped[0]?.message ?? "", /flux-system:demo-deployment-hello-helloworld-/);
});

test("readWorkloadAutomation prefers fluxcd.io over flux.weave.works", () => {
  const a = readWorkloadAutomation({
    "flux.weave.works/automated": "false",
    "fluxcd.io/automated": "true",
    "flux.weave.works/tag.app": "glob:*",
    "fluxcd.io/tag.app": "semver:~2",
    "flux.weave.works/tag.web": "regex:^v",
  });
  assert.equal(a.automated, true);
  assert.equal(a.locked, false);
  assert.deepEqual([...a.tagFilters].sort(), [
    ["app", "semver:~2"],
    ["web", "regex:^v"],
  ]);
});

test("tag filters map onto ImagePolicy specs, glob and regex ordered by creation time; a bad one names the cause", () => {
  assert.deepEqual(policyForTagFilter("semver:~1.0"), { spec: { policy: { semver: { range: "~1.0" } } } });
  assert.deepEqual(policyForTagFilter("glob:1.*"), {
    spec: { policy: { alphabetical: { order: "asc" } }, filterTags: { pattern: "^1\\..*$" } },
    annotations: { "image.sluice.dev/tag-order": "created" },
  });
  const regex = policyForTagFilter("regex:^v[0-9]+$");
  assert.deepEqual(regex.spec.filterTags, { pattern: "^v[0-9]+$" });
  assert.deepEqual(regex.annotations, { "image.sluice.dev/tag-order": "created" });
  assert.throws(() => policyForTagFilter("latest"), TagFilterError);
  assert.throws(() => policyForTagFilter("semver:"), /the pattern is empty/);
  assert.throws(() => policyForTagFilter("calver:2024"), /tag filter "calver:2024": unknown kind/);
});

test("globPattern escapes regular expression characters", () => {
  assert.equal(globPattern("v1.?-*(x)"), "^v1\\..-.*\\(x\\)$");
});

test("policy names are DNS labels of at most 63 characters, distinct per container", () => {
  const long = { namespace: "n".repeat(40), kind: "StatefulSet", name: "m".repeat(40) };
  const a = workloadPolicyName(long, "a");
  const b = workloadPolicyName(long, "b");
  assert.ok(a.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(a), a);
  assert.notEqual(a, b);
});

test("imageRepository drops the tag and digest, keeps a registry port", () => {
  assert.equal(imageRepository("reg:5000/a/b:1.0@sha256:00"), "reg:5000/a/b");
  assert.equal(imageRepository("reg:5000/a/b"), "reg:5000/a/b");
});

test("markerSuggestions names the image line and the marker that replaces the annotations", () => {
  const text = workload([
    'flux.weave.works/automated: "true"',
    "flux.weave.works/tag.helloworld: semver:~1.0",
  ]);
  const policy = workloadPolicyName(id, "helloworld");
  assert.deepEqual(markerSuggestions(text, "flux-system"), [
    {
      line: 14,
      image: "reg:5000/hello:1.0.0",
      policy: `flux-system:${policy}`,
      comment: `# {"$imagepolicy": "flux-system:${policy}"}`,
    },
  ]);
  assert.deepEqual(markerSuggestions("kind: Deployment\nmetadata: {name: x}\n", "flux-system"), []);
});

const helmRelease = [
  "apiVersion: helm.fluxcd.io/v1",
  "kind: HelmRelease",
  "metadata:",
  "  name: mongodb",
  "  namespace: demo",
  "  annotations:",
  '    fluxcd.io/automated: "true"',
  "    fluxcd.io/tag.chart-image: semver:~4.0",
  "    fluxcd.io/tag.metrics: glob:0.*",
  "    fluxcd.io/tag.backup: semver:^2",
  "spec:",
  "  chart: { repository: https://charts.example/, name: mongodb, version: 7.2.0 }",
  "  values:",
  "    image:",
  "      repository: reg:5000/mongodb # the chart's",
  "      tag: 4.0.3",
  "    metrics:",
  "      image: reg:5000/exporter",
  '      tag: "0.7"',
  "    backup:",
  "      image: reg:5000/backup:2.1.0",
  "    registryForm:",
  "      image: { registry: reg:5000, repository: other, tag: 1.0.0 }",
  "",
].join("\n");
const release = { namespace: "demo", kind: "HelmRelease", name: "mongodb" };

test("a v1 HelmRelease's values: the chart's image, name-and-tag pairs and whole references each get their policy's choice", () => {
  const chosen = new Map([
    [
      `flux-system:${workloadPolicyName(release, "chart-image")}`,
      { name: "reg:5000/mongodb", tag: "4.0.14" },
    ],
    [`flux-system:${workloadPolicyName(release, "metrics")}`, { name: "reg:5000/exporter", tag: "0.11" }],
    [`flux-system:${workloadPolicyName(release, "backup")}`, { name: "reg:5000/backup", tag: "2.4.0" }],
  ]);
  const result = applySetters(helmRelease, chosen, { workloadPolicyNamespace: "flux-system" });
  const expected = helmRelease
    .replace("tag: 4.0.3", "tag: 4.0.14")
    .replace('tag: "0.7"', 'tag: "0.11"')
    .replace("backup:2.1.0", "backup:2.4.0");
  assert.equal(result.text, expected, "only the tags changed, quoting and comments kept");
  assert.deepEqual(result.changes.map((c) => c.setter).sort(), [
    "demo:helmrelease/mongodb:backup",
    "demo:helmrelease/mongodb:chart-image:tag",
    "demo:helmrelease/mongodb:metrics:tag",
  ]);
});

test("markerSuggestions for a HelmRelease name each scalar with the :name or :tag marker", () => {
  const policy = `flux-system:${workloadPolicyName(release, "chart-image")}`;
  const suggestions = markerSuggestions(helmRelease, "flux-system").filter((s) => s.policy === policy);
  assert.deepEqual(
    suggestions.map((s) => [s.line, s.image, s.comment]),
    [
      [15, "reg:5000/mongodb:4.0.3", `# {"$imagepolicy": "${policy}:name"}`],
      [16, "reg:5000/mongodb:4.0.3", `# {"$imagepolicy": "${policy}:tag"}`],
    ],
  );
  assert.ok(
    !markerSuggestions(helmRelease, "flux-system").some((s) => s.image.includes("other")),
    "the registry: form is not recognised",
  );
});
