import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { migrate, renderMigration } from "./flux-v1.ts";

const options = {
  namespace: "flux-system",
  source: "flux-system",
  path: "deploy",
  registryInsecureHosts: [],
};
const deployment = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: hello",
  "  annotations:",
  '    flux.weave.works/automated: "true"',
  "    flux.weave.works/tag.helloworld: semver:~1.0",
  "    flux.weave.works/tag.side: calver:1",
  "spec:",
  "  template:",
  "    spec:",
  "      containers:",
  "        - name: helloworld",
  "          image: reg/hello:1.0.0",
  "        - name: side",
  "          image: reg/side:1",
  "",
].join("\n");

test("migrate prints the v2 objects and a marker for each container that got a policy", () => {
  const migration = migrate(new Map([["deploy/hello.yaml", deployment]]), options);
  assert.deepEqual(
    migration.objects.map((o) => o.kind),
    ["ImageRepository", "ImagePolicy", "ImageUpdateAutomation"],
  );
  assert.equal(migration.objects[0]?.metadata.labels, undefined);
  const policy = migration.objects[1]?.metadata.name;
  assert.deepEqual(migration.markers, [
    `deploy/hello.yaml:14: reg/hello:1.0.0 # {"$imagepolicy": "flux-system:${policy}"}`,
  ]);
  assert.match(migration.problems.join("\n"), /tag filter "calver:1": unknown kind/);
  const docs = parseAllDocuments(renderMigration(migration));
  assert.equal(docs.length, 3, "the markers are comments of one valid YAML stream");
});

test("a repository without automated workloads prints nothing but a note", () => {
  const migration = migrate(new Map([["a.yaml", "kind: ConfigMap\n"]]), options);
  assert.equal(renderMigration(migration), "# no automated workloads found\n");
});
