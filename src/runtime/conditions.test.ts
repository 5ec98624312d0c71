import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConditionType,
  getCondition,
  isReady,
  isStalled,
  markFailedWithRetry,
  markReady,
  markReconciling,
  markStalled,
  Reason,
  setCondition,
} from "./conditions.ts";

const t0 = new Date("2025-01-01T10:00:00.123Z");
const t1 = new Date("2025-01-01T10:05:00Z");

const ready = {
  type: "Ready",
  status: "True",
  reason: "Succeeded",
  message: "stored artifact",
  observedGeneration: 1,
} as const;

test("setCondition adds a condition with the transition time in seconds precision", () => {
  const conds = setCondition(undefined, ready, t0);
  assert.deepEqual(conds, [{ ...ready, lastTransitionTime: "2025-01-01T10:00:00Z" }]);
});

test("the transition time stays when nothing but observedGeneration changes", () => {
  const first = setCondition([], ready, t0);
  const again = setCondition(first, { ...ready, observedGeneration: 2 }, t1);
  assert.equal(again[0]!.lastTransitionTime, "2025-01-01T10:00:00Z");
  assert.equal(again[0]!.observedGeneration, 2);
});

for (const [field, value] of [
  ["status", "False"],
  ["reason", "Failed"],
  ["message", "another message"],
] as const) {
  test(`the transition time moves when ${field} changes`, () => {
    const first = setCondition([], ready, t0);
    const changed = setCondition(first, { ...ready, [field]: value }, t1);
    assert.equal(changed[0]!.lastTransitionTime, "2025-01-01T10:05:00Z");
    assert.equal(changed[0]![field], value);
  });
}

test("setCondition replaces in place, keeps other conditions and does not mutate its input", () => {
  const a = setCondition([], { type: "A", status: "True", reason: "r", message: "" }, t0);
  const ab = setCondition(a, { type: "B", status: "False", reason: "r", message: "" }, t0);
  const ab2 = setCondition(ab, { type: "A", status: "False", reason: "r", message: "" }, t1);
  assert.deepEqual(
    ab2.map((c) => `${c.type}=${c.status}`),
    ["A=False", "B=False"],
  );
  assert.equal(ab[0]!.status, "True", "the input array is unchanged");
});

test("kstatus helpers: reconciling, ready, failing with retry, stalled", () => {
  const outcome = { reason: Reason.Progressing, message: "fetching", observedGeneration: 3 };
  let conds = markReconciling([], outcome, t0);
  assert.equal(getCondition(conds, ConditionType.Reconciling)?.status, "True");
  assert.equal(getCondition(conds, ConditionType.Ready)?.status, "Unknown");

  conds = markReady(conds, { reason: Reason.Succeeded, message: "done", observedGeneration: 3 }, t1);
  assert.ok(isReady(conds));
  assert.equal(getCondition(conds, ConditionType.Reconciling), undefined);

  conds = markFailedWithRetry(conds, { reason: Reason.ArtifactFailed, message: "disk full" }, t1);
  assert.equal(isReady(conds), false);
  assert.equal(getCondition(conds, ConditionType.Reconciling)?.reason, Reason.ProgressingWithRetry);

  conds = markReconciling(conds, outcome, t1);
  assert.equal(
    getCondition(conds, ConditionType.Ready)?.status,
    "False",
    "a known failure is not hidden by Unknown",
  );

  conds = markStalled(conds, { reason: Reason.InvalidURL, message: "bad url" }, t1);
  assert.ok(isStalled(conds));
  assert.equal(getCondition(conds, ConditionType.Ready)?.reason, Reason.InvalidURL);
  assert.equal(getCondition(conds, ConditionType.Reconciling), undefined);
});
