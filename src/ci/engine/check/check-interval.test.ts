import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkInterval, isDue, retryDelay, type CheckState } from "./check-interval.ts";

const state = (more: Partial<CheckState>): CheckState => ({
  checkEvery: undefined,
  triggers: true,
  lastCheckEndedAt: 0,
  checkError: undefined,
  failures: 0,
  ...more,
});

describe("check intervals", () => {
  it("reads check_every: a Go duration, the 1m default, never", () => {
    assert.equal(checkInterval("30s"), 30_000);
    assert.equal(checkInterval(undefined), 60_000);
    assert.equal(checkInterval("((interval))"), 60_000);
    assert.equal(checkInterval("never"), undefined);
  });

  it("doubles the retry delay from check_every up to ten minutes", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => retryDelay(60_000, n) / 60_000),
      [1, 2, 4, 8, 10, 10],
    );
    assert.equal(retryDelay(3_600_000, 3), 3_600_000, "never faster than check_every");
  });

  it("checks trigger inputs, never-checked and errored resources periodically, others not", () => {
    assert.equal(isDue(state({}), 60_000), true);
    assert.equal(isDue(state({}), 59_999), false);
    assert.equal(isDue(state({ triggers: false }), 600_000), false);
    assert.equal(isDue(state({ triggers: false, lastCheckEndedAt: undefined }), 0), true);
    assert.equal(isDue(state({ triggers: false, checkError: "x", failures: 2 }), 120_000), true);
    assert.equal(isDue(state({ triggers: false, checkError: "x", failures: 2 }), 119_999), false);
    assert.equal(isDue(state({ checkEvery: "never", lastCheckEndedAt: undefined }), 0), false);
  });
});
