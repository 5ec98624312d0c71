import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RecordedEvent } from "../runtime/events.ts";
import { notificationFor, toFluxEvent } from "./event.ts";
import { alertConfigErrors, matchAlert, severityMatches, severityOf } from "./match.ts";
import type { AlertSpecLike } from "./types.ts";

function event(
  over: Partial<RecordedEvent> = {},
  obj: Partial<RecordedEvent["involvedObject"]> = {},
): RecordedEvent {
  return {
    type: "Normal",
    reason: "ReconciliationSucceeded",
    message: "Applied revision: main@sha1:abc",
    involvedObject: {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      uid: "u-1",
      ...obj,
    },
    reportingController: "sluice-kustomization",
    timestamp: "2025-01-01T00:00:00.000Z",
    ...over,
  };
}

function clusterScoped(): RecordedEvent {
  const e = event();
  const { namespace: _ns, ...involvedObject } = e.involvedObject;
  return { ...e, involvedObject };
}

function alert(over: Partial<AlertSpecLike> = {}): AlertSpecLike {
  return {
    namespace: "flux-system",
    name: "a",
    eventSources: [{ kind: "Kustomization", name: "*" }],
    ...over,
  };
}

describe("severity", () => {
  it("maps Warning to error and Normal to info", () => {
    assert.equal(severityOf("Warning"), "error");
    assert.equal(severityOf("Normal"), "info");
  });
  it("info alerts get both, error alerts only errors", () => {
    assert.equal(severityMatches(undefined, "error"), true);
    assert.equal(severityMatches("info", "error"), true);
    assert.equal(severityMatches("info", "info"), true);
    assert.equal(severityMatches("error", "error"), true);
    assert.equal(severityMatches("error", "info"), false);
  });
});

const cases: [string, AlertSpecLike, RecordedEvent, Record<string, string> | undefined, boolean][] = [
  ["wildcard name", alert(), event(), undefined, true],
  [
    "exact name",
    alert({ eventSources: [{ kind: "Kustomization", name: "apps" }] }),
    event(),
    undefined,
    true,
  ],
  [
    "other name",
    alert({ eventSources: [{ kind: "Kustomization", name: "infra" }] }),
    event(),
    undefined,
    false,
  ],
  ["other kind", alert({ eventSources: [{ kind: "GitRepository", name: "*" }] }), event(), undefined, false],
  ["namespace defaults to the alert's", alert({ namespace: "other" }), event(), undefined, false],
  [
    "explicit namespace",
    alert({
      namespace: "other",
      eventSources: [{ kind: "Kustomization", name: "*", namespace: "flux-system" }],
    }),
    event(),
    undefined,
    true,
  ],
  ["cluster-scoped object never matches", alert(), clusterScoped(), undefined, false],
  [
    "any of several sources",
    alert({
      eventSources: [
        { kind: "GitRepository", name: "*" },
        { kind: "Kustomization", name: "apps" },
      ],
    }),
    event(),
    undefined,
    true,
  ],
  ["error alert skips info", alert({ eventSeverity: "error" }), event(), undefined, false],
  [
    "error alert gets warnings",
    alert({ eventSeverity: "error" }),
    event({ type: "Warning" }),
    undefined,
    true,
  ],
  ["info alert gets warnings", alert({ eventSeverity: "info" }), event({ type: "Warning" }), undefined, true],
  ["suspended", alert({ suspend: true }), event(), undefined, false],
  [
    "matchLabels present",
    alert({ eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "a" } }] }),
    event(),
    { team: "a", other: "x" },
    true,
  ],
  [
    "matchLabels differ",
    alert({ eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "a" } }] }),
    event(),
    { team: "b" },
    false,
  ],
  [
    "matchLabels without labels",
    alert({ eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "a" } }] }),
    event(),
    undefined,
    false,
  ],
  ["inclusion matches", alert({ inclusionList: ["^Applied revision: main@"] }), event(), undefined, true],
  ["inclusion misses", alert({ inclusionList: ["^Health check"] }), event(), undefined, false],
  ["one of inclusions", alert({ inclusionList: ["nope", "sha1:[a-f]+"] }), event(), undefined, true],
  ["exclusion drops", alert({ exclusionList: ["main@sha1"] }), event(), undefined, false],
  ["exclusion misses", alert({ exclusionList: ["^no"] }), event(), undefined, true],
  [
    "exclusion beats inclusion",
    alert({ inclusionList: [".*"], exclusionList: ["abc$"] }),
    event(),
    undefined,
    false,
  ],
  ["invalid inclusion never includes", alert({ inclusionList: ["("] }), event(), undefined, false],
  ["invalid exclusion never excludes", alert({ exclusionList: ["("] }), event(), undefined, true],
  ["Go syntax (?i)", alert({ inclusionList: ["(?i)APPLIED"] }), event(), undefined, true],
];

describe("matchAlert", () => {
  for (const [name, a, e, labels, want] of cases) {
    it(name, () => assert.equal(matchAlert(a, e, labels), want));
  }

  it("reports invalid regexes", () => {
    assert.deepEqual(alertConfigErrors(alert({ inclusionList: ["(", "ok"], exclusionList: ["["] })), [
      "failed to compile inclusion regex: (",
      "failed to compile exclusion regex: [",
    ]);
  });
});

describe("notification metadata", () => {
  it("strips the object group and event group, adds eventMetadata and summary by Flux's precedence", () => {
    const e = toFluxEvent(
      event({
        revision: "main@sha1:abc",
        annotations: {
          "kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc",
          "kustomize.toolkit.fluxcd.io/token": "secret",
          "event.toolkit.fluxcd.io/env": "from-event",
          "event.toolkit.fluxcd.io/team": "from-event",
          "other.io/x": "dropped",
        },
      }),
      "pod-1",
    );
    assert.equal(e.severity, "info");
    assert.equal(e.reportingInstance, "pod-1");
    const n = notificationFor(e, {
      eventMetadata: { env: "prod", revision: "overridden" },
      summary: "Cluster A",
    });
    assert.deepEqual(n.metadata, {
      env: "prod",
      team: "from-event",
      summary: "Cluster A",
      revision: "main@sha1:abc",
    });
  });

  it("has no metadata when nothing applies", () => {
    const n = notificationFor(toFluxEvent(event()), {});
    assert.equal(n.metadata, undefined);
  });
});
