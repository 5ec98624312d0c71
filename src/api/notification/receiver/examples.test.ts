// Examples written after the shapes Flux's Receiver documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseReceiver } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const github = `
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: github-receiver
  namespace: flux-system
spec:
  type: github
  events:
    - "ping"
    - "push"
  secretRef:
    name: receiver-token
  resources:
    - kind: GitRepository
      name: flux-system
`;

const imageWildcard = `
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: generic-receiver
  namespace: default
spec:
  type: generic
  secretRef:
    name: receiver-token
  resources:
    - apiVersion: image.toolkit.fluxcd.io/v1beta2
      kind: ImageRepository
      name: "*"
      matchLabels:
        registry: gcr
  resourceFilter: 'has(res.metadata.annotations) && request.body.tag.startsWith("v")'
`;

const v1beta2Gitlab = `
apiVersion: notification.toolkit.fluxcd.io/v1beta2
kind: Receiver
metadata:
  name: gitlab-receiver
  namespace: flux-system
spec:
  type: gitlab
  events:
    - "Push Hook"
    - "Tag Push Hook"
  secretRef:
    name: webhook-token
  resources:
    - kind: GitRepository
      name: webapp-frontend
    - kind: GitRepository
      name: webapp-backend
`;

const v1beta1WithStatus = `
apiVersion: notification.toolkit.fluxcd.io/v1beta1
kind: Receiver
metadata:
  name: dockerhub-receiver
  namespace: flux-system
spec:
  type: dockerhub
  secretRef:
    name: webhook-token
  resources:
    - kind: ImageRepository
      name: webapp
status:
  observedGeneration: 1
  url: /hook/bed6d00b5555b1603e1f59b94d7fdbca58089cb5663633fb83f2815dc626d92b
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: "Receiver initialized with URL: /hook/bed6d00b5555b1603e1f59b94d7fdbca58089cb5663633fb83f2815dc626d92b"
      lastTransitionTime: "2022-01-10T10:00:00Z"
`;

describe("Receiver v1 guide", () => {
  it("a GitHub receiver parses with v1's default interval and nothing to report", () => {
    const doc: unknown = parse(github);
    const exact = v1.Receiver.parse(doc);
    const { object, deprecated } = parseReceiver(doc);
    assert.deepEqual(object, exact);
    assert.equal(object.spec.interval, "10m");
    assert.deepEqual(object.status, { observedGeneration: -1 });
    assert.deepEqual(deprecated, []);
  });

  it("a wildcard resource with labels and a CEL resource filter is accepted", () => {
    const { object } = parseReceiver(parse(imageWildcard));
    assert.deepEqual(object.spec.resources[0]?.matchLabels, { registry: "gcr" });
    assert.match(object.spec.resourceFilter ?? "", /startsWith/);
  });
});

describe("Receiver older versions", () => {
  it("a v1beta2 guide object converts to v1", () => {
    const doc: unknown = parse(v1beta2Gitlab);
    const exact = v1beta2.Receiver.parse(doc);
    const { object, deprecated } = parseReceiver(doc);
    assert.equal(object.apiVersion, "notification.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec, { ...exact.spec, interval: "10m" });
    assert.deepEqual(deprecated, []);
  });

  it("a v1beta1 status url becomes webhookPath and is reported", () => {
    const doc: unknown = parse(v1beta1WithStatus);
    v1beta1.Receiver.parse(doc);
    const { object, deprecated } = parseReceiver(doc);
    assert.equal(
      object.status.webhookPath,
      "/hook/bed6d00b5555b1603e1f59b94d7fdbca58089cb5663633fb83f2815dc626d92b",
    );
    assert.equal("url" in object.status, false);
    assert.deepEqual(deprecated, ["status.url"]);
  });

  it("url equal to webhookPath, as a v1beta2 controller wrote both, is not reported", () => {
    const doc = parse(v1beta1WithStatus) as { status: Record<string, unknown> };
    doc.status["webhookPath"] = doc.status["url"];
    assert.deepEqual(parseReceiver(doc).deprecated, []);
  });

  it("Flux's v1beta2 had no cdevents type; the served schema, v1's, accepts it in every version", () => {
    const doc = parse(v1beta2Gitlab) as { spec: Record<string, unknown> };
    doc.spec["type"] = "cdevents";
    assert.equal(v1beta2.Receiver.safeParse(doc).success, false);
    assert.equal(parseReceiver(doc).object.spec.type, "cdevents");
  });
});

describe("invalid Receivers", () => {
  const base = parse(github) as { spec: Record<string, unknown> };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...spec } });
  const cases: [string, unknown, RegExp][] = [
    ["no secretRef", { ...base, spec: { type: "github", resources: [] } }, /secretRef/],
    ["an unknown type", withSpec({ type: "registry" }), /spec\.type/],
    ["no resources", { ...base, spec: { type: "github", secretRef: { name: "t" } } }, /resources/],
    [
      "matchLabels with a name",
      withSpec({ resources: [{ kind: "GitRepository", name: "app", matchLabels: { a: "b" } }] }),
      /matchLabels requires name to be '\*'/,
    ],
    [
      "every namespace with a name",
      withSpec({ resources: [{ kind: "GitRepository", name: "app", namespace: "*" }] }),
      /namespace '\*' requires name to be '\*'/,
    ],
    ["an unknown resource kind", withSpec({ resources: [{ kind: "Deployment", name: "app" }] }), /kind/],
    ["a malformed interval", withSpec({ interval: "often" }), /interval/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseReceiver(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError &&
          message.test(err.message) &&
          err.message.includes("github-receiver"),
      );
    });
  }
});
