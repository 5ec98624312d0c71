import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Duration, GoDuration, TimeoutDuration, isDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  const cases: [string, number][] = [
    ["1m", 60_000],
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["5m0s", 300_000],
    ["1.5h", 5_400_000],
    ["2h45m30.5s", 9_930_500],
    [".5s", 500],
    ["5.s", 5_000],
    ["0", 0],
    ["-1m", -60_000],
    ["+2s", 2_000],
    ["1500us", 1.5],
    ["1500\u00b5s", 1.5],
    ["1500\u03bcs", 1.5],
    ["2000000ns", 2],
  ];
  for (const [input, ms] of cases) {
    it(`parses ${input}`, () => assert.equal(parseDuration(input), ms));
  }

  for (const input of ["", "1", "m", "1x", "1h-5m", "1..5s", ".s", "-", "1 m", "1d", "9999999999h"]) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseDuration(input), /invalid duration/);
      assert.equal(isDuration(input), false);
    });
  }
});

describe("duration schemas", () => {
  it("Duration takes Flux's interval pattern (ms, s, m, h)", () => {
    for (const ok of ["1m", "10m0s", "1h30m", "500ms", "1.5h"]) assert.ok(Duration.safeParse(ok).success, ok);
    for (const bad of ["0", "1us", "-1m", "1d", "m"])
      assert.equal(Duration.safeParse(bad).success, false, bad);
  });

  it("TimeoutDuration has no hours", () => {
    assert.ok(TimeoutDuration.safeParse("1m30s").success);
    assert.equal(TimeoutDuration.safeParse("1h").success, false);
  });

  it("GoDuration accepts whatever Go accepts", () => {
    assert.ok(GoDuration.safeParse("1us").success);
    assert.ok(GoDuration.safeParse("0").success);
    const bad = GoDuration.safeParse("soon");
    assert.equal(bad.success, false);
    assert.match(bad.error?.issues[0]?.message ?? "", /duration such as/);
  });
});
