import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Artifact,
  ArtifactV1beta1,
  ArtifactV1beta2,
  Condition,
  NamespacedObjectKindReference,
  ObjectMeta,
} from "./meta.ts";

const condition = {
  type: "Ready",
  status: "True",
  observedGeneration: 3,
  lastTransitionTime: "2024-05-01T10:00:00Z",
  reason: "Succeeded",
  message: "stored artifact for revision 'main@sha1:abc'",
};

describe("Condition", () => {
  it("accepts a metav1.Condition", () => {
    assert.deepEqual(Condition.parse(condition), condition);
    assert.ok(
      Condition.safeParse({
        ...condition,
        type: "example.com/Custom",
        lastTransitionTime: "2024-05-01T10:00:00.123+02:00",
      }).success,
    );
  });

  it("validates as the API server does", () => {
    for (const bad of [
      { status: "Maybe" },
      { reason: "" },
      { reason: "has spaces" },
      { type: "not a type" },
      { observedGeneration: -1 },
      { lastTransitionTime: "yesterday" },
      { message: undefined },
    ]) {
      assert.equal(Condition.safeParse({ ...condition, ...bad }).success, false, JSON.stringify(bad));
    }
  });
});

describe("Artifact", () => {
  const artifact = {
    path: "gitrepository/default/podinfo/abc.tar.gz",
    url: "http://sluice/gitrepository/default/podinfo/abc.tar.gz",
    revision: "master@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
    digest: "sha256:95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2",
    lastUpdateTime: "2022-02-14T11:23:36Z",
    size: 91318,
    metadata: { "org.opencontainers.image.source": "x" },
  };

  it("v1 requires a well-formed digest", () => {
    assert.deepEqual(Artifact.parse(artifact), artifact);
    assert.equal(Artifact.safeParse({ ...artifact, digest: undefined }).success, false);
    assert.equal(Artifact.safeParse({ ...artifact, digest: "95e386f4" }).success, false);
  });

  it("older versions carry a checksum", () => {
    const { path, url, revision, lastUpdateTime } = artifact;
    const old = { path, url, revision, lastUpdateTime };
    assert.deepEqual(ArtifactV1beta1.parse({ ...old, checksum: "abc" }), { ...old, checksum: "abc" });
    assert.ok(
      ArtifactV1beta2.safeParse({ path: "p", url: "u", checksum: "abc", digest: artifact.digest }).success,
    );
  });
});

describe("ObjectMeta", () => {
  it("keeps fields it does not know", () => {
    const meta = { name: "a", namespace: "b", managedFields: [{ manager: "kubectl" }] };
    assert.deepEqual(ObjectMeta.parse(meta), meta);
  });
});

describe("references and constants", () => {
  it("NamespacedObjectKindReference needs kind and name", () => {
    assert.ok(NamespacedObjectKindReference.safeParse({ kind: "GitRepository", name: "podinfo" }).success);
    assert.equal(NamespacedObjectKindReference.safeParse({ name: "podinfo" }).success, false);
  });
});
