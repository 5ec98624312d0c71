import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHumanDuration } from "./human-duration.ts";

describe("GitLab durations", () => {
  it("reads units, words and bare seconds", () => {
    assert.equal(parseHumanDuration("30m"), 30 * 60_000);
    assert.equal(parseHumanDuration("1h 30m"), 90 * 60_000);
    assert.equal(parseHumanDuration("3 hours 30 minutes"), 210 * 60_000);
    assert.equal(parseHumanDuration("1 week"), 7 * 86_400_000);
    assert.equal(parseHumanDuration("600"), 600_000);
    assert.equal(parseHumanDuration("2 days and 1 hour"), 49 * 3_600_000);
  });

  it("refuses what is not a duration", () => {
    assert.equal(parseHumanDuration("soon"), undefined);
    assert.equal(parseHumanDuration("3 fortnights"), undefined);
    assert.equal(parseHumanDuration("1h garbage"), undefined);
  });
});
