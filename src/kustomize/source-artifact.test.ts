import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../kube/objects.ts";
import { artifactOf, SourceArtifactError } from "./source-artifact.ts";

const ref = { kind: "GitRepository", name: "app" };
const source = (status: Record<string, unknown>): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "app" },
  status,
});

function failure(fn: () => unknown): SourceArtifactError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SourceArtifactError) return err;
    throw err;
  }
  assert.fail("no SourceArtifactError");
}

describe("artifactOf", () => {
  it("returns the source's artifact, looked up in the reference's namespace or the Kustomization's", () => {
    const artifact = { revision: "main@sha1:abc", digest: "sha256:00", url: "http://a/b.tar.gz" };
    const seen: string[] = [];
    const lookup = (kind: string, ns: string, name: string) => {
      seen.push(`${kind}/${ns}/${name}`);
      return source({ artifact });
    };
    assert.deepEqual(artifactOf(ref, "apps", lookup), artifact);
    assert.deepEqual(artifactOf({ ...ref, namespace: "src" }, "apps", lookup), artifact);
    assert.deepEqual(seen, ["GitRepository/apps/app", "GitRepository/src/app"]);
  });

  it("fails retryably while the source is missing or has no artifact, and stalls on an unsupported kind", () => {
    const missing = failure(() => artifactOf(ref, "apps", () => undefined));
    assert.equal(missing.message, "Source 'GitRepository/apps/app' not found");
    assert.equal(missing.stalled, false);
    const notReady = failure(() => artifactOf(ref, "apps", () => source({})));
    assert.equal(notReady.message, "Source 'GitRepository/apps/app' is not ready, artifact not found");
    assert.equal(notReady.stalled, false);
    const unsupported = failure(() => artifactOf({ ...ref, kind: "Bucket" }, "apps", () => undefined));
    assert.match(
      unsupported.message,
      /^source kind Bucket is not supported yet \(supported: GitRepository\)$/,
    );
    assert.equal(unsupported.stalled, true);
  });
});
