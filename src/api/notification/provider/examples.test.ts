// Examples written after the shapes Flux's Provider documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseProvider } from "./parse.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";
import * as v1beta3 from "./v1beta3.ts";

const slackBot = `
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: slack-bot
  namespace: flux-system
spec:
  type: slack
  channel: general
  address: https://slack.com/api/chat.postMessage
  secretRef:
    name: slack-bot-token
`;

const githubStatus = `
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: github-status
  namespace: flux-system
spec:
  type: github
  address: https://github.com/stefanprodan/podinfo
  secretRef:
    name: github
  commitStatusExpr: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-').first().value()).lowerAscii()"
`;

const v1beta2Generic = `
apiVersion: notification.toolkit.fluxcd.io/v1beta2
kind: Provider
metadata:
  name: generic-webhook
  namespace: flux-system
spec:
  type: generic
  address: https://api.example.com/webhook
  proxy: https://proxy.example.com:8080
  timeout: 30s
  certSecretRef:
    name: tls-certs
`;

const v1beta1Slack = `
apiVersion: notification.toolkit.fluxcd.io/v1beta1
kind: Provider
metadata:
  name: slack
  namespace: flux-system
spec:
  type: slack
  channel: general
  secretRef:
    name: slack-url
status:
  observedGeneration: 1
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: Initialized
      lastTransitionTime: "2022-01-10T10:00:00Z"
`;

describe("Provider v1beta3 guide", () => {
  for (const [name, yaml] of Object.entries({ slackBot, githubStatus })) {
    it(`${name} parses as v1beta3 with nothing to report`, () => {
      const doc: unknown = parse(yaml);
      const { object, deprecated } = parseProvider(doc);
      assert.deepEqual(object, v1beta3.Provider.parse(doc));
      assert.deepEqual(deprecated, []);
    });
  }
});

describe("Provider older versions", () => {
  it("a v1beta2 object keeps its proxy, reported as deprecated", () => {
    const doc: unknown = parse(v1beta2Generic);
    const exact = v1beta2.Provider.parse(doc);
    const { object, deprecated } = parseProvider(doc);
    assert.deepEqual(object.spec, exact.spec);
    assert.equal("status" in object, false);
    assert.deepEqual(deprecated, ["spec.proxy"]);
  });

  it("a v1beta1 object loses its interval and stale status, both reported", () => {
    const doc = parse(v1beta1Slack) as { spec: Record<string, unknown> };
    doc.spec["interval"] = "10m";
    v1beta1.Provider.parse(doc);
    const { object, deprecated } = parseProvider(doc);
    assert.deepEqual(object.spec, { type: "slack", channel: "general", secretRef: { name: "slack-url" } });
    assert.deepEqual(deprecated, ["spec.interval", "status.observedGeneration", "status.conditions"]);
  });
});

describe("invalid Providers", () => {
  const base = parse(slackBot) as { spec: Record<string, unknown> };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...spec } });
  const cases: [string, unknown, RegExp][] = [
    ["no type", { ...base, spec: { channel: "general" } }, /spec\.type/],
    ["an unknown type", withSpec({ type: "email" }), /spec\.type/],
    [
      "commitStatusExpr for slack",
      withSpec({ commitStatusExpr: "'x'" }),
      /commitStatusExpr is only supported/,
    ],
    ["a timeout in hours", withSpec({ timeout: "1h" }), /timeout/],
    ["a proxy that is no HTTP address", withSpec({ proxy: "socks5://p:1080" }), /proxy/],
    ["a channel over 2048 characters", withSpec({ channel: "c".repeat(2049) }), /channel/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseProvider(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError && message.test(err.message) && err.message.includes("slack-bot"),
      );
    });
  }
});
