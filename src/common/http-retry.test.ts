import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, parseRetryAfter } from "./http-retry.ts";

describe("parseRetryAfter", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");

  it("reads delta-seconds", () => {
    assert.equal(parseRetryAfter("3", now), 3000);
    assert.equal(parseRetryAfter(" 0 ", now), 0);
  });

  it("reads an HTTP date, never giving a negative wait", () => {
    assert.equal(parseRetryAfter("Wed, 01 May 2024 12:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfter("Wed, 01 May 2024 11:00:00 GMT", now), 0);
  });

  it("ignores absent or unreadable values", () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter("-1", now), undefined);
  });
});

describe("backoffDelay", () => {
  it("doubles per attempt within [half, full] of the step, capped", () => {
    assert.equal(
      backoffDelay(0, 100, 10_000, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, 100, 10_000, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, 100, 10_000, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(20, 100, 10_000, () => 1),
      10_000,
    );
  });
});
