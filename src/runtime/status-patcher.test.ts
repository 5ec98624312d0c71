import assert from "node:assert/strict";
import { test } from "node:test";
import { KubeApiError } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { markReady, markReconciling, markStalled, setCondition, type Condition } from "./conditions.ts";
import { mergePatch } from "./merge-patch.ts";
import {
  StatusPatcher,
  withStatusPatch,
  type ObjectRef,
  type ReconcileStatus,
  type StatusWriter,
} from "./status-patcher.ts";

/** A fake of our own StatusWriter interface that records each patch. */
class RecordingWriter implements StatusWriter {
  readonly patches: { ref: ObjectRef; patch: Record<string, unknown> }[] = [];
  fail: Error | undefined;
  async patchStatus(ref: ObjectRef, patch: Record<string, unknown>): Promise<void> {
    await Promise.resolve();
    if (this.fail) throw this.fail;
    this.patches.push({ ref, patch });
  }
}

interface RepoStatus extends ReconcileStatus {
  artifact?: { revision: string; digest?: string };
}

const t0 = new Date("2025-01-01T00:00:00Z");

function repo(
  status: RepoStatus | undefined,
  meta: Partial<KubeObject["metadata"]> = {},
): KubeObject & { status?: RepoStatus } {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "podinfo", namespace: "flux-system", generation: 2, ...meta },
    ...(status ? { status } : {}),
  };
}

test("mergePatch sends changed fields, nulls removed ones, replaces arrays whole", () => {
  assert.equal(mergePatch({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }), undefined);
  assert.deepEqual(mergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1] }, { a: 2, b: { c: 1 }, e: [1, 2] }), {
    a: 2,
    b: { d: null },
    e: [1, 2],
  });
  assert.deepEqual(mergePatch({ x: { y: 1 } }, {}), { x: null });
  assert.deepEqual(mergePatch({}, { x: { y: 1 } }), { x: { y: 1 } });
  assert.deepEqual(
    mergePatch({ x: 1 }, { x: 1, y: undefined }),
    undefined,
    "undefined fields are absent fields",
  );
});

test("an unchanged status writes nothing", async () => {
  const conditions = markReady([], { reason: "Succeeded", message: "ok", observedGeneration: 2 }, t0);
  const writer = new RecordingWriter();
  const patcher = new StatusPatcher(repo({ observedGeneration: 2, conditions }), writer);
  patcher.status.conditions = markReady(
    patcher.status.conditions,
    { reason: "Succeeded", message: "ok", observedGeneration: 2 },
    new Date(),
  );
  assert.equal(await patcher.patch(), false);
  assert.equal(writer.patches.length, 0);
});

test("one patch with only what changed, observedGeneration once Ready", async () => {
  const before: RepoStatus = {
    observedGeneration: 1,
    artifact: { revision: "main@sha1:aaa", digest: "sha256:1" },
    conditions: markReady([], { reason: "Succeeded", message: "old", observedGeneration: 1 }, t0),
  };
  const writer = new RecordingWriter();
  const result = await withStatusPatch(repo(before), writer, (status: RepoStatus) => {
    status.conditions = markReconciling(status.conditions, { reason: "Progressing", message: "fetching" });
    status.artifact = { revision: "main@sha1:bbb" };
    status.conditions = markReady(status.conditions, {
      reason: "Succeeded",
      message: "new",
      observedGeneration: 2,
    });
    return { requeueAfterMs: 60_000 };
  });
  assert.deepEqual(result, { requeueAfterMs: 60_000 });
  assert.equal(writer.patches.length, 1, "exactly one write per reconcile");
  const { ref, patch } = writer.patches[0]!;
  assert.deepEqual(ref, {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    name: "podinfo",
    namespace: "flux-system",
  });
  const status = patch["status"] as Record<string, unknown>;
  assert.deepEqual(status["artifact"], { revision: "main@sha1:bbb", digest: null });
  assert.equal(status["observedGeneration"], 2);
  assert.equal((status["conditions"] as Condition[])[0]!.message, "new");
});

test("observedGeneration is not advanced while the reconcile is unfinished", async () => {
  const writer = new RecordingWriter();
  const patcher = new StatusPatcher(repo({ observedGeneration: 1 }), writer);
  patcher.status.conditions = markReconciling([], { reason: "Progressing", message: "working" });
  assert.equal(await patcher.patch(), true);
  const status = writer.patches[0]!.patch["status"] as Record<string, unknown>;
  assert.equal(status["observedGeneration"], undefined);
});

test("a Stalled reconcile also records observedGeneration", async () => {
  const writer = new RecordingWriter();
  const patcher = new StatusPatcher(repo({}), writer);
  patcher.status.conditions = markStalled([], { reason: "InvalidURL", message: "bad" });
  await patcher.patch();
  assert.equal((writer.patches[0]!.patch["status"] as RepoStatus).observedGeneration, 2);
});

test("requestedAt is echoed into lastHandledReconcileAt", async () => {
  const writer = new RecordingWriter();
  const obj = repo(
    { lastHandledReconcileAt: "1" },
    { annotations: { "reconcile.fluxcd.io/requestedAt": "2" } },
  );
  const patcher = new StatusPatcher(obj, writer);
  await patcher.patch();
  assert.deepEqual(writer.patches[0]!.patch, { status: { lastHandledReconcileAt: "2" } });
  await assert.rejects(patcher.patch(), /already patched/);
});

test("a failing reconcile still patches its conditions, and its error wins", async () => {
  const writer = new RecordingWriter();
  await assert.rejects(
    withStatusPatch(repo(undefined), writer, async (status: RepoStatus) => {
      status.conditions = setCondition(status.conditions, {
        type: "Ready",
        status: "False",
        reason: "Failed",
        message: "boom",
      });
      await Promise.resolve();
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(writer.patches.length, 1);
});

test("an object deleted meanwhile (404) is not an error; other failures are", async () => {
  const writer = new RecordingWriter();
  writer.fail = new KubeApiError(404, "NotFound", "gone");
  const p1 = new StatusPatcher(repo({}), writer);
  p1.status.artifact = { revision: "x" };
  assert.equal(await p1.patch(), false);
  writer.fail = new KubeApiError(500, "InternalError", "etcd down");
  const p2 = new StatusPatcher(repo({}), writer);
  p2.status.artifact = { revision: "x" };
  await assert.rejects(p2.patch(), /etcd down/);
});
