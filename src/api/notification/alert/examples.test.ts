// Examples written after the shapes Flux's Alert documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseAlert } from "./parse.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";
import * as v1beta3 from "./v1beta3.ts";

const onCall = `
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: on-call-webapp
  namespace: flux-system
spec:
  providerRef:
    name: slack
  eventSeverity: error
  eventSources:
    - kind: GitRepository
      name: '*'
    - kind: Kustomization
      name: '*'
  eventMetadata:
    app.kubernetes.io/env: "production"
    app.kubernetes.io/cluster: "my-cluster"
    app.kubernetes.io/region: "us-east-1"
`;

const v1beta2Summary = `
apiVersion: notification.toolkit.fluxcd.io/v1beta2
kind: Alert
metadata:
  name: on-call-webapp
  namespace: flux-system
spec:
  summary: "production cluster"
  providerRef:
    name: slack
  eventSeverity: info
  eventSources:
    - kind: HelmRelease
      name: '*'
      namespace: apps
  inclusionList:
    - ".*succeeded.*"
  exclusionList:
    - "^Dependencies.*"
`;

const v1beta1Guide = `
apiVersion: notification.toolkit.fluxcd.io/v1beta1
kind: Alert
metadata:
  name: on-call-webapp
  namespace: flux-system
spec:
  providerRef:
    name: slack
  eventSeverity: info
  eventSources:
    - kind: GitRepository
      name: webapp
    - kind: Kustomization
      name: webapp-backend
    - kind: Kustomization
      name: webapp-frontend
`;

describe("Alert v1beta3 guide", () => {
  it("parses as v1beta3 with nothing to report", () => {
    const doc: unknown = parse(onCall);
    const { object, deprecated } = parseAlert(doc);
    assert.deepEqual(object, v1beta3.Alert.parse(doc));
    assert.deepEqual(deprecated, []);
  });

  it("defaults eventSeverity to info", () => {
    const doc = parse(onCall) as { spec: Record<string, unknown> };
    delete doc.spec["eventSeverity"];
    assert.equal(parseAlert(doc).object.spec.eventSeverity, "info");
  });
});

describe("Alert older versions", () => {
  it("a v1beta2 summary becomes eventMetadata.summary and is reported", () => {
    const doc: unknown = parse(v1beta2Summary);
    const exact = v1beta2.Alert.parse(doc);
    const { object, deprecated } = parseAlert(doc);
    const { summary, ...rest } = exact.spec;
    assert.deepEqual(object.spec, { ...rest, eventMetadata: { summary } });
    assert.deepEqual(deprecated, ["spec.summary"]);
  });

  it("an eventMetadata summary wins over spec.summary", () => {
    const doc = parse(v1beta2Summary) as { spec: Record<string, unknown> };
    doc.spec["eventMetadata"] = { summary: "from metadata" };
    assert.deepEqual(parseAlert(doc).object.spec.eventMetadata, { summary: "from metadata" });
  });

  it("a v1beta1 guide object converts, and a stale status is dropped and reported", () => {
    const doc = parse(v1beta1Guide) as Record<string, unknown>;
    const exact = v1beta1.Alert.parse(doc);
    assert.deepEqual(parseAlert(doc).object.spec, exact.spec);
    doc["status"] = { observedGeneration: 2, lastHandledReconcileAt: "2022-01-10T10:00:00Z" };
    const { object, deprecated } = parseAlert(doc);
    assert.equal("status" in object, false);
    assert.deepEqual(deprecated, ["status.observedGeneration", "status.lastHandledReconcileAt"]);
  });
});

describe("invalid Alerts", () => {
  const base = parse(onCall) as { spec: Record<string, unknown> };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...spec } });
  const cases: [string, unknown, RegExp][] = [
    ["no providerRef", { ...base, spec: { eventSources: [] } }, /providerRef/],
    ["an unknown severity", withSpec({ eventSeverity: "warning" }), /eventSeverity/],
    ["a summary over 255 characters", withSpec({ summary: "s".repeat(256) }), /summary/],
    [
      "matchLabels with a name",
      withSpec({ eventSources: [{ kind: "Kustomization", name: "apps", matchLabels: { a: "b" } }] }),
      /matchLabels requires name to be '\*'/,
    ],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseAlert(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError &&
          message.test(err.message) &&
          err.message.includes("on-call-webapp"),
      );
    });
  }
});
