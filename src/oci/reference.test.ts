import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatImageReference,
  InvalidReferenceError,
  manifestReference,
  parseImageReference,
  registryApiHost,
} from "./reference.ts";

const digest = `sha256:${"a".repeat(64)}`;

describe("parseImageReference", () => {
  it("expands Docker Hub short names", () => {
    assert.deepEqual(parseImageReference("nginx"), { registry: "docker.io", repository: "library/nginx" });
    assert.deepEqual(parseImageReference("nginx:1.2"), {
      registry: "docker.io",
      repository: "library/nginx",
      tag: "1.2",
    });
    assert.deepEqual(parseImageReference("bitnami/redis"), {
      registry: "docker.io",
      repository: "bitnami/redis",
    });
  });

  it("normalises Docker Hub aliases to docker.io", () => {
    for (const text of [
      "docker.io/library/nginx:1.2",
      "index.docker.io/nginx:1.2",
      "registry-1.docker.io/nginx:1.2",
    ]) {
      assert.deepEqual(parseImageReference(text), {
        registry: "docker.io",
        repository: "library/nginx",
        tag: "1.2",
      });
    }
  });

  it("recognises a registry by a dot, a port or localhost", () => {
    assert.deepEqual(parseImageReference("ghcr.io/org/app:v1"), {
      registry: "ghcr.io",
      repository: "org/app",
      tag: "v1",
    });
    assert.deepEqual(parseImageReference("localhost:5000/app"), {
      registry: "localhost:5000",
      repository: "app",
    });
    assert.deepEqual(parseImageReference("localhost/app"), { registry: "localhost", repository: "app" });
    assert.deepEqual(parseImageReference("127.0.0.1:5000/a/b/c:t"), {
      registry: "127.0.0.1:5000",
      repository: "a/b/c",
      tag: "t",
    });
    assert.deepEqual(parseImageReference("[::1]:5000/app"), { registry: "[::1]:5000", repository: "app" });
  });

  it("keeps a port apart from a tag", () => {
    assert.deepEqual(parseImageReference("registry.local:5000/team/app:2.0"), {
      registry: "registry.local:5000",
      repository: "team/app",
      tag: "2.0",
    });
  });

  it("reads digests, with or without a tag", () => {
    assert.deepEqual(parseImageReference(`ghcr.io/org/app@${digest}`), {
      registry: "ghcr.io",
      repository: "org/app",
      digest,
    });
    assert.deepEqual(parseImageReference(`nginx:1.2@${digest}`), {
      registry: "docker.io",
      repository: "library/nginx",
      tag: "1.2",
      digest,
    });
  });
});

describe("parseImageReference on malformed input", () => {
  it("rejects it with the reason", () => {
    const cases: [string, RegExp][] = [
      ["", /repository must be/],
      ["Nginx", /lowercase/],
      ["ghcr.io/Org/app", /lowercase/],
      ["app:", /tag must be/],
      ["app:-bad", /tag must be/],
      ["app@sha256:abc", /digest must/],
      [`app@sha256:${"A".repeat(64)}`, /digest must/],
      ["a//b", /repository must be/],
      ["app/..", /repository must be/],
      ["bad_host:x/app", /bad registry host/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseImageReference(text),
        (error: unknown) => {
          assert.ok(error instanceof InvalidReferenceError, text);
          assert.match(error.message, reason, text);
          return true;
        },
      );
    }
  });
});

describe("formatImageReference and friends", () => {
  it("formats the canonical form", () => {
    assert.equal(formatImageReference(parseImageReference("nginx:1.2")), "docker.io/library/nginx:1.2");
    assert.equal(
      formatImageReference(parseImageReference(`localhost:5000/a@${digest}`)),
      `localhost:5000/a@${digest}`,
    );
  });

  it("picks the manifest reference: digest, then tag, then latest", () => {
    assert.equal(manifestReference(parseImageReference(`a:1@${digest}`)), digest);
    assert.equal(manifestReference(parseImageReference("a:1")), "1");
    assert.equal(manifestReference(parseImageReference("a")), "latest");
  });

  it("sends Docker Hub API calls to registry-1.docker.io", () => {
    assert.equal(registryApiHost("docker.io"), "registry-1.docker.io");
    assert.equal(registryApiHost("index.docker.io"), "registry-1.docker.io");
    assert.equal(registryApiHost("ghcr.io"), "ghcr.io");
  });
});
