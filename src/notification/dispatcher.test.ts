import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { KubeClient } from "../kube/client.ts";
import { EventRecorder, type RecordedEvent } from "../runtime/events.ts";
import { Dispatcher, type DispatcherOptions } from "./dispatcher.ts";
import { NotificationError } from "./errors.ts";
import { closeHttpAgents } from "./http.ts";
import { TestReceiver, stall, status } from "./external-service.test-support.ts";
import type { AlertSpecLike, FluxEvent, ProviderConfig, SendFn } from "./types.ts";

const sha = "5394cb7f48332b2de7c17dd8b8384bbc84b7e738";

function event(over: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    type: "Normal",
    reason: "ReconciliationSucceeded",
    message: "Applied revision: main@sha1:" + sha,
    revision: `main@sha1:${sha}`,
    annotations: { "kustomize.toolkit.fluxcd.io/revision": `main@sha1:${sha}` },
    involvedObject: {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      uid: "u-1",
    },
    reportingController: "sluice-kustomization",
    timestamp: "2025-01-01T00:00:00.000Z",
    ...over,
  };
}

const alert: AlertSpecLike = {
  namespace: "flux-system",
  name: "on-call",
  eventSources: [{ kind: "Kustomization", name: "*" }],
  eventMetadata: { cluster: "prod-1" },
};

interface Failure {
  alert: AlertSpecLike;
  provider: ProviderConfig;
  error: Error;
  event: FluxEvent;
}

const receiver = new TestReceiver();
let base = "";
before(async () => {
  base = await receiver.start();
});
after(async () => {
  await closeHttpAgents();
  await receiver.stop();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

function setup(
  provider: Partial<ProviderConfig> = {},
  options: Partial<DispatcherOptions> = {},
): { dispatcher: Dispatcher; failures: Failure[] } {
  const failures: Failure[] = [];
  const p: ProviderConfig = {
    type: "generic",
    name: "hook",
    namespace: "flux-system",
    address: `${base}/hook`,
    ...provider,
  };
  const dispatcher = new Dispatcher({
    alertsFor: () => Promise.resolve([{ alert, provider: p }]),
    onSendFailed: (a, pr, error, e) => failures.push({ alert: a, provider: pr, error, event: e }),
    retryBaseDelayMs: 10,
    reportingInstance: "pod-1",
    ...options,
  });
  return { dispatcher, failures };
}

describe("Dispatcher", () => {
  it("sends a matching event with combined metadata", async () => {
    const { dispatcher, failures } = setup();
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 1);
    const body = JSON.parse(receiver.requests[0]!.body) as FluxEvent;
    assert.equal(body.severity, "info");
    assert.equal(body.reportingInstance, "pod-1");
    assert.deepEqual(body.metadata, { cluster: "prod-1", revision: `main@sha1:${sha}` });
    assert.deepEqual(failures, []);
  });

  it("does not send events that no alert matches", async () => {
    const { dispatcher } = setup();
    dispatcher.handle(event({ involvedObject: { ...event().involvedObject, kind: "GitRepository" } }));
    await dispatcher.close();
    assert.equal(receiver.requests.length, 0);
  });

  it("collapses identical events within the window, not after it", async () => {
    let now = 1_000;
    const { dispatcher } = setup({}, { now: () => now, dedupWindowMs: 10_000 });
    dispatcher.handle(event());
    dispatcher.handle(event());
    dispatcher.handle(event({ message: "other message" }));
    dispatcher.handle(event({ revision: "main@sha1:other", reason: "ReconciliationSucceeded" }));
    now += 10_000;
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 4);
  });
});

describe("Dispatcher retries", () => {
  it("retries a 500 and succeeds on the next 200", async () => {
    receiver.then(status(500, "boom"));
    const { dispatcher, failures } = setup();
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 2);
    assert.deepEqual(failures, []);
  });

  it("honours Retry-After on 429", async () => {
    receiver.then(status(429, "slow down", { "retry-after": "1" }));
    const times: number[] = [];
    receiver.fallback = (_req, res) => {
      times.push(Date.now());
      res.writeHead(200).end();
    };
    const started = Date.now();
    const { dispatcher, failures } = setup();
    dispatcher.handle(event());
    await dispatcher.close();
    receiver.fallback = (_req, res) => {
      res.writeHead(200).end();
    };
    assert.equal(receiver.requests.length, 2);
    assert.ok(times[0]! - started >= 950, `retried after ${times[0]! - started} ms`);
    assert.deepEqual(failures, []);
  });

  it("gives up after maxAttempts and reports the failure", async () => {
    receiver.then(status(503), status(503), status(503));
    const { dispatcher, failures } = setup({}, { maxAttempts: 3 });
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 3);
    assert.equal(failures.length, 1);
    const error = failures[0]!.error;
    assert.ok(error instanceof NotificationError);
    assert.equal(error.status, 503);
    assert.equal(failures[0]!.alert.name, "on-call");
    assert.equal(failures[0]!.provider.name, "hook");
  });

  it("does not retry a 4xx", async () => {
    receiver.then(status(404));
    const { dispatcher, failures } = setup();
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 1);
    assert.equal((failures[0]?.error as NotificationError).status, 404);
  });

  it("times out a slow endpoint and retries", async () => {
    receiver.then(async (_req, res) => {
      await stall(res, 400);
      if (!res.destroyed) res.writeHead(200).end();
    });
    const { dispatcher, failures } = setup({ timeoutMs: 100 });
    dispatcher.handle(event());
    await dispatcher.close();
    assert.equal(receiver.requests.length, 2);
    assert.deepEqual(failures, []);
  });
});

describe("Dispatcher lifecycle", () => {
  it("never throws into the caller, even when alertsFor or the callback throw", async () => {
    const dispatcher = new Dispatcher({
      alertsFor: () => Promise.reject(new Error("api down")),
      onSendFailed: () => {
        throw new Error("callback broke");
      },
    });
    assert.doesNotThrow(() => dispatcher.handle(event()));
    await dispatcher.close();
  });

  it("drops beyond the queue bound with QueueFull", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: SendFn = () => gate;
    const { dispatcher, failures } = setup(
      {},
      { senders: { generic: slow }, maxQueued: 2, concurrency: 1, dedupWindowMs: 0 },
    );
    for (let i = 0; i < 4; i++) dispatcher.handle(event({ message: `m${i}` }));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(dispatcher.pending, 2);
    assert.deepEqual(
      failures.map((f) => (f.error as NotificationError).reason),
      ["QueueFull", "QueueFull"],
    );
    release();
    await dispatcher.close();
  });

  it("close without drain aborts in-flight sends and pending retries", async () => {
    receiver.then(async (_req, res) => {
      await stall(res, 5_000);
      if (!res.destroyed) res.writeHead(200).end();
    });
    const { dispatcher, failures } = setup({ timeoutMs: 10_000 });
    dispatcher.handle(event());
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await dispatcher.close({ drain: false });
    assert.ok(Date.now() - started < 1000);
    assert.equal(dispatcher.pending, 0);
    assert.deepEqual(failures, []);
    dispatcher.handle(event({ message: "after close" }));
    assert.equal(dispatcher.pending, 0);
  });

  it("a drain timeout drops retries waiting on a long backoff", async () => {
    receiver.then(status(503, "", { "retry-after": "30" }));
    const { dispatcher } = setup();
    dispatcher.handle(event());
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(dispatcher.pending, 1);
    await dispatcher.close({ timeoutMs: 50 });
    assert.equal(dispatcher.pending, 0);
    assert.equal(receiver.requests.length, 1);
  });
});

describe("Dispatcher routing", () => {
  it("skips commit status providers for events without a revision, sends those with one", async () => {
    const { dispatcher, failures } = setup({
      type: "github",
      address: `${base}/org/repo`,
      token: "ghp",
      providerUid: "0c9c2e41-d2f9",
    });
    const { revision: _r, ...withoutRevision } = event({ annotations: {}, message: "no revision" });
    dispatcher.handle(withoutRevision);
    dispatcher.handle(event());
    await dispatcher.close();
    assert.deepEqual(
      receiver.requests.map((r) => `${r.method} ${r.path}`),
      [
        `GET /api/v3/repos/org/repo/commits/${sha}/statuses?per_page=50`,
        `POST /api/v3/repos/org/repo/statuses/${sha}`,
      ],
    );
    assert.deepEqual(JSON.parse(receiver.requests[1]!.body), {
      state: "success",
      context: "kustomization/apps/0c9c2e41",
      description: "reconciliation succeeded",
    });
    assert.deepEqual(failures, []);
  });

  it("asks for labels only when a source has matchLabels", async () => {
    const asked: string[] = [];
    const labelled: AlertSpecLike = {
      namespace: "flux-system",
      eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "a" } }],
    };
    const p: ProviderConfig = {
      type: "generic",
      name: "hook",
      namespace: "flux-system",
      address: `${base}/hook`,
    };
    const dispatcher = new Dispatcher({
      alertsFor: () => Promise.resolve([{ alert: labelled, provider: p }]),
      labelsFor: (o) => {
        asked.push(o.name);
        return Promise.resolve(o.name === "apps" ? { team: "a" } : { team: "b" });
      },
    });
    dispatcher.handle(event());
    dispatcher.handle(event({ involvedObject: { ...event().involvedObject, name: "infra" } }));
    await dispatcher.close();
    assert.deepEqual(asked, ["apps", "infra"]);
    assert.equal(receiver.requests.length, 1);
  });

  it("subscribes to an EventRecorder", async () => {
    const client = { create: (o: unknown) => Promise.resolve(o), patch: () => Promise.resolve({}) };
    const recorder = new EventRecorder({
      client: client as unknown as KubeClient,
      controller: "kustomization",
    });
    const { dispatcher } = setup();
    const unsubscribe = dispatcher.subscribe(recorder);
    await recorder.event(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "apps", namespace: "flux-system", uid: "u-1" },
      },
      { type: "Warning", reason: "HealthCheckFailed", message: "timeout", revision: `main@sha1:${sha}` },
    );
    unsubscribe();
    await dispatcher.close();
    assert.equal(receiver.requests.length, 1);
    const body = JSON.parse(receiver.requests[0]!.body) as FluxEvent;
    assert.equal(body.severity, "error");
    assert.equal(body.reason, "HealthCheckFailed");
    assert.equal(body.reportingController, "sluice-kustomization");
    assert.equal(body.metadata?.revision, `main@sha1:${sha}`);
  });
});
