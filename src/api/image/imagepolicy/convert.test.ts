import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidObjectError } from "../../errors.ts";
import {
  convertToV1,
  imageRefString,
  latestImageOf,
  parseImageRef,
  withLegacyImageFields,
} from "./convert.ts";
import { parseImagePolicy } from "./parse.ts";
import { ServedImagePolicyStatus } from "./served.ts";
import type * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const digest = "sha256:2d9a00b3981628a533ff43352193b1838b0a4bf6b0033444286f563205e51a2c";
const condition = {
  type: "Ready",
  status: "True" as const,
  reason: "Succeeded",
  message: "Latest image tag for 'ghcr.io/example/web' resolved to 1.4.0",
  lastTransitionTime: "2024-03-01T08:00:00Z",
};

describe("image reference strings", () => {
  it("latestImageOf spells a reference as Flux's latestImage did, without the digest", () => {
    assert.equal(
      latestImageOf({ name: "ghcr.io/example/web", tag: "1.4.0", digest }),
      "ghcr.io/example/web:1.4.0",
    );
  });

  it("imageRefString adds the digest when known, as Flux prints an ImageRef", () => {
    assert.equal(imageRefString({ name: "web", tag: "1.4.0", digest }), `web:1.4.0@${digest}`);
    assert.equal(imageRefString({ name: "web", tag: "1.4.0" }), "web:1.4.0");
  });

  it("parseImageRef reads name, tag and digest, and tells a tag from a registry port", () => {
    assert.deepEqual(parseImageRef("ghcr.io/example/web:1.4.0"), {
      name: "ghcr.io/example/web",
      tag: "1.4.0",
    });
    assert.deepEqual(parseImageRef("localhost:5000/web:v2"), { name: "localhost:5000/web", tag: "v2" });
    assert.deepEqual(parseImageRef(`alpine:3.20@${digest}`), { name: "alpine", tag: "3.20", digest });
    assert.equal(parseImageRef("localhost:5000/web"), undefined);
    assert.equal(parseImageRef(`web@${digest}`), undefined);
    assert.equal(parseImageRef("web:"), undefined);
    assert.equal(parseImageRef(""), undefined);
  });

  it("round-trips what latestImageOf writes", () => {
    const ref = { name: "registry.example.com:443/team/web", tag: "main-abc123-1700000000" };
    assert.deepEqual(parseImageRef(latestImageOf(ref)), ref);
  });
});

describe("withLegacyImageFields", () => {
  it("adds latestImage and observedPreviousImage mirroring the refs, in the served schema", () => {
    const status = withLegacyImageFields({
      latestRef: { name: "ghcr.io/example/web", tag: "1.4.0", digest },
      observedPreviousRef: { name: "ghcr.io/example/web", tag: "1.3.9" },
      observedGeneration: 2,
      conditions: [condition],
    });
    assert.equal(status.latestImage, "ghcr.io/example/web:1.4.0");
    assert.equal(status.observedPreviousImage, "ghcr.io/example/web:1.3.9");
    assert.deepEqual(ServedImagePolicyStatus.parse(status), status);
  });

  it("leaves them out when there is no ref, so a status patch removes stale ones", () => {
    const status = withLegacyImageFields({ observedGeneration: 1 });
    assert.deepEqual(status, { observedGeneration: 1 });
  });

  it("what it writes parses back to the same v1 status, with nothing reported", () => {
    const v1Status: v1.ImagePolicyStatus = {
      latestRef: { name: "web", tag: "2", digest },
      observedPreviousRef: { name: "web", tag: "1" },
      observedGeneration: 5,
    };
    const { object, deprecated } = parseImagePolicy({
      apiVersion: "image.toolkit.fluxcd.io/v1",
      kind: "ImagePolicy",
      metadata: { name: "web" },
      spec: { imageRepositoryRef: { name: "web" }, policy: { numerical: { order: "asc" } } },
      status: withLegacyImageFields(v1Status),
    });
    assert.deepEqual(object.status, v1Status);
    assert.deepEqual(deprecated, []);
  });
});

describe("v1beta2 convertToV1", () => {
  const obj = (): v1beta2.ImagePolicy =>
    v1beta2.ImagePolicy.parse({
      apiVersion: v1beta2.API_VERSION,
      kind: "ImagePolicy",
      metadata: { name: "web", namespace: "apps", generation: 4 },
      spec: {
        imageRepositoryRef: { name: "web", namespace: "registry" },
        policy: { semver: { range: "^1.0.0" } },
        filterTags: { pattern: "^v(?P<v>.*)$", extract: "$v" },
        digestReflectionPolicy: "Always",
        interval: "10m",
      },
      status: {
        latestImage: "ghcr.io/example/web:1.4.0",
        latestRef: { name: "ghcr.io/example/web", tag: "1.4.0", digest },
        observedPreviousImage: "ghcr.io/example/web:1.3.9",
        observedPreviousRef: { name: "ghcr.io/example/web", tag: "1.3.9" },
        observedGeneration: 4,
        conditions: [condition],
      },
    });

  it("keeps the spec and the refs, dropping their string mirrors", () => {
    const original = obj();
    const { object, deprecated } = convertToV1(original);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec, original.spec);
    assert.deepEqual(object.status, {
      latestRef: { name: "ghcr.io/example/web", tag: "1.4.0", digest },
      observedPreviousRef: { name: "ghcr.io/example/web", tag: "1.3.9" },
      observedGeneration: 4,
      conditions: [condition],
    });
    assert.deepEqual(deprecated, []);
  });

  it("keeps the ref when a mirror disagrees with it, and reports the mirror", () => {
    const o = obj();
    o.status.latestImage = "docker.io/example/web:1.4.0";
    const { object, deprecated } = convertToV1(o);
    assert.equal(object.status.latestRef?.name, "ghcr.io/example/web");
    assert.deepEqual(deprecated, ["status.latestImage"]);
  });

  it("drops, and reports, a latestImage without a tag", () => {
    const o = obj();
    delete o.status.latestRef;
    o.status.latestImage = "ghcr.io/example/web";
    const { object, deprecated } = convertToV1(o);
    assert.equal(object.status.latestRef, undefined);
    assert.deepEqual(deprecated, ["status.latestImage"]);
  });
});

describe("v1beta1 convertToV1", () => {
  const obj = (): v1beta1.ImagePolicy =>
    v1beta1.ImagePolicy.parse({
      apiVersion: v1beta1.API_VERSION,
      kind: "ImagePolicy",
      metadata: { name: "legacy", namespace: "flux-system" },
      spec: {
        imageRepositoryRef: { name: "web" },
        policy: { alphabetical: {} },
        filterTags: { pattern: "^main-" },
      },
      status: { latestImage: "localhost:5000/web:main-b", observedGeneration: 1, conditions: [condition] },
    });

  it("adds v1's defaults and turns latestImage into latestRef", () => {
    const { object, deprecated } = convertToV1(obj());
    assert.deepEqual(object.spec, {
      imageRepositoryRef: { name: "web" },
      policy: { alphabetical: { order: "asc" } },
      filterTags: { pattern: "^main-" },
      digestReflectionPolicy: "Never",
    });
    assert.deepEqual(object.status, {
      latestRef: { name: "localhost:5000/web", tag: "main-b" },
      observedGeneration: 1,
      conditions: [condition],
    });
    assert.deepEqual(deprecated, ["status.latestImage"]);
  });

  it("refuses a policy choice that is not exactly one, naming the field", () => {
    const o = obj();
    o.spec.policy = {};
    assert.throws(
      () => convertToV1(o),
      (err: unknown) => err instanceof InvalidObjectError && /spec\.policy/.test(err.message),
    );
  });
});

describe("objects under conversion None", () => {
  it("a v1beta1 object may carry v1-only fields, which are kept", () => {
    const { object, deprecated } = parseImagePolicy({
      apiVersion: "image.toolkit.fluxcd.io/v1beta1",
      kind: "ImagePolicy",
      metadata: { name: "mixed" },
      spec: {
        imageRepositoryRef: { name: "web" },
        policy: { semver: { range: "1.x" } },
        digestReflectionPolicy: "IfNotPresent",
        suspend: true,
      },
      status: { latestRef: { name: "web", tag: "1.2.0", digest } },
    });
    assert.deepEqual(deprecated, []);
    assert.equal(object.spec.digestReflectionPolicy, "IfNotPresent");
    assert.equal(object.spec.suspend, true);
    assert.equal(object.status.latestRef?.digest, digest);
  });

  it("convertToV1 accepts a served object without status", () => {
    const { object } = convertToV1({
      apiVersion: "image.toolkit.fluxcd.io/v1beta2",
      kind: "ImagePolicy",
      metadata: { name: "bare" },
      spec: { imageRepositoryRef: { name: "web" }, policy: { numerical: {} } },
    });
    assert.deepEqual(object.status, { observedGeneration: -1 });
    assert.deepEqual(object.spec.policy, { numerical: { order: "asc" } });
  });
});
