import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { EventRecorder, type RecordedEvent } from "../src/runtime/events.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";

interface CoreEvent extends KubeObject {
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string; apiVersion: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string };
  reportingComponent: string;
}

/** Events may be recorded for any object; the API does not check that it exists. */
const gitRepository = (namespace: string): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "podinfo", namespace, uid: randomUUID(), resourceVersion: "1" },
});

async function eventsFor(client: KubeClient, namespace: string): Promise<CoreEvent[]> {
  const list = await client.list<CoreEvent>("v1", "Event", {
    namespace,
    fieldSelector: "involvedObject.name=podinfo",
  });
  return list.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

/** A clock the test moves. */
function clock(start = Date.now()) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

test("events carry Flux's fields, and repeats within the window are counted on one Event", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ev");
  const repo = gitRepository(ns);
  const time = clock();
  const recorder = new EventRecorder({
    client,
    controller: "gitrepository",
    aggregationWindowMs: 60_000,
    now: time.now,
  });
  const stored = {
    type: "Normal",
    reason: "NewArtifact",
    message: "stored artifact for commit 'abc'",
    revision: "main@sha1:abc",
  } as const;

  await recorder.event(repo, stored);
  time.advance(2000);
  await recorder.event(repo, stored);
  await recorder.event(repo, {
    type: "Warning",
    reason: "GitOperationFailed",
    message: "failed to checkout",
  });

  const events = await eventsFor(client, ns);
  assert.equal(events.length, 2, "the repeat was aggregated, the other reason is its own event");
  const normal = events.find((e) => e.type === "Normal")!;
  assert.equal(normal.count, 2);
  assert.ok(
    Date.parse(normal.lastTimestamp) - Date.parse(normal.firstTimestamp) >= 2000,
    "lastTimestamp moved",
  );
  assert.equal(normal.reason, "NewArtifact");
  assert.equal(normal.message, stored.message);
  assert.equal(normal.source.component, "sluice-gitrepository");
  assert.equal(normal.reportingComponent, "sluice-gitrepository");
  assert.equal(normal.metadata.annotations?.["source.toolkit.fluxcd.io/revision"], "main@sha1:abc");
  assert.deepEqual(
    { ...normal.involvedObject },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      name: "podinfo",
      namespace: ns,
      uid: repo.metadata.uid,
      resourceVersion: "1",
    },
  );
  assert.equal(events.find((e) => e.type === "Warning")!.count, 1);
});

test("a repeat after the window, or after the Event was deleted, creates a new Event", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ev");
  const repo = gitRepository(ns);
  const time = clock();
  const recorder = new EventRecorder({
    client,
    controller: "gitrepository",
    aggregationWindowMs: 60_000,
    now: time.now,
  });
  const e = { type: "Normal", reason: "Progressing", message: "fetching" } as const;

  await recorder.event(repo, e);
  time.advance(61_000);
  await recorder.event(repo, e);
  assert.equal((await eventsFor(client, ns)).length, 2, "outside the window: a new Event");

  for (const old of await eventsFor(client, ns)) await client.delete("v1", "Event", old.metadata.name!, ns);
  await recorder.event(repo, e);
  const after = await eventsFor(client, ns);
  assert.equal(after.length, 1, "the aggregated Event was gone: a new one was created");
  assert.equal(after[0]!.count, 1);
});

test("concurrent repeats never create two Events; subscribers hear every occurrence; failures never throw", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ev");
  const repo = gitRepository(ns);
  const recorder = new EventRecorder({ client, controller: "gitrepository" });
  const heard: RecordedEvent[] = [];
  const unsubscribe = recorder.forController("kustomization").onEvent((e) => heard.push(e));
  recorder.onEvent(() => {
    throw new Error("a broken subscriber does not break recording");
  });
  const e = { type: "Normal", reason: "Succeeded", message: "applied" } as const;
  await Promise.all([1, 2, 3, 4, 5].map(() => recorder.event(repo, e)));
  const events = await eventsFor(client, ns);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.count, 5);
  assert.equal(heard.length, 5, "a recorder for another controller shares subscribers");
  assert.equal(heard[0]!.reportingController, "sluice-gitrepository");

  const nowhere = gitRepository(`missing-${randomUUID().slice(0, 8)}`);
  await recorder.event(nowhere, e); // its namespace does not exist: logged and dropped, no rejection
  assert.equal(heard.length, 6);
  unsubscribe();
  await recorder.event(repo, e);
  assert.equal(heard.length, 6);
});
