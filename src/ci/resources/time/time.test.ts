import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ResourceError, type ResourceConfig, type Version } from "../resource.ts";
import { timeResource } from "./resource.ts";
import { parseTimeOfDay } from "./source.ts";

const at = (iso: string) => Date.parse(iso);

interface CheckCase {
  name: string;
  source: ResourceConfig;
  previous?: string;
  now: string;
  expected: string[];
}

// 2026-12-03 is a Thursday.
const checkCases: CheckCase[] = [
  {
    name: "first check without a schedule",
    source: {},
    now: "2026-12-03T08:00:00Z",
    expected: ["2026-12-03T08:00:00Z"],
  },
  {
    name: "first check outside the range emits nothing",
    source: { start: "9:00 AM", stop: "5:00 PM" },
    now: "2026-12-03T08:00:00Z",
    expected: [],
  },
  {
    name: "first check with initial_version emits now even outside the range",
    source: { start: "9:00 AM", stop: "5:00 PM", initial_version: true },
    now: "2026-12-03T08:00:00Z",
    expected: ["2026-12-03T08:00:00Z"],
  },
  {
    name: "interval not yet elapsed keeps the previous version",
    source: { interval: "1h30m" },
    previous: "2026-12-03T07:30:00Z",
    now: "2026-12-03T08:59:59Z",
    expected: ["2026-12-03T07:30:00Z"],
  },
  {
    name: "interval elapsed adds now",
    source: { interval: "1h" },
    previous: "2026-12-03T07:00:00Z",
    now: "2026-12-03T08:00:00.250Z",
    expected: ["2026-12-03T07:00:00Z", "2026-12-03T08:00:00.25Z"],
  },
  {
    name: "a range across midnight includes the small hours",
    source: { start: "22:00", stop: "02:00" },
    now: "2026-12-03T01:00:00Z",
    expected: ["2026-12-03T01:00:00Z"],
  },
  {
    name: "a range across midnight includes the late evening",
    source: { start: "10PM", stop: "2AM" },
    now: "2026-12-03T23:00:00Z",
    expected: ["2026-12-03T23:00:00Z"],
  },
  {
    name: "a range across midnight excludes the afternoon",
    source: { start: "2200", stop: "0200" },
    now: "2026-12-03T15:00:00Z",
    expected: [],
  },
  {
    name: "without interval, one version per range: a new range emits",
    source: { start: "2:00 AM", stop: "3:00 AM" },
    previous: "2026-12-02T02:10:00Z",
    now: "2026-12-03T02:05:00Z",
    expected: ["2026-12-02T02:10:00Z", "2026-12-03T02:05:00Z"],
  },
  {
    name: "without interval, one version per range: the same range does not",
    source: { start: "2:00 AM", stop: "3:00 AM" },
    previous: "2026-12-03T02:01:00Z",
    now: "2026-12-03T02:30:00Z",
    expected: ["2026-12-03T02:01:00Z"],
  },
  {
    name: "without interval or range, one version per day",
    source: {},
    previous: "2026-12-02T23:00:00Z",
    now: "2026-12-03T00:30:00Z",
    expected: ["2026-12-02T23:00:00Z", "2026-12-03T00:30:00Z"],
  },
  {
    name: "the range is read in the location, versions carry its offset",
    source: { start: "9:00 AM", stop: "5:00 PM", location: "America/New_York" },
    now: "2026-12-03T14:00:00Z",
    expected: ["2026-12-03T09:00:00-05:00"],
  },
  {
    name: "before the range in the location",
    source: { start: "9:00 AM", stop: "5:00 PM", location: "America/New_York" },
    now: "2026-12-03T13:59:00Z",
    expected: [],
  },
  {
    name: "a day that is not listed",
    source: { days: ["Saturday", "sun"] },
    now: "2026-12-03T12:00:00Z",
    expected: [],
  },
  {
    name: "a listed day",
    source: { days: ["Monday", "thursday"], interval: "10m" },
    previous: "2026-12-03T11:45:00Z",
    now: "2026-12-03T12:00:00Z",
    expected: ["2026-12-03T11:45:00Z", "2026-12-03T12:00:00Z"],
  },
  {
    name: "days are read in the location",
    source: { days: ["Friday"], location: "Asia/Tokyo" },
    now: "2026-12-03T20:00:00Z",
    expected: ["2026-12-04T05:00:00+09:00"],
  },
  {
    name: "a start with an explicit offset is that time in UTC",
    source: { start: "3:00 AM -0700", stop: "11:00 AM -0700" },
    now: "2026-12-03T10:30:00Z",
    expected: ["2026-12-03T10:30:00Z"],
  },
];

for (const c of checkCases) {
  test(`time check: ${c.name}`, async () => {
    const resource = timeResource({ now: () => at(c.now) });
    const from: Version | undefined = c.previous === undefined ? undefined : { time: c.previous };
    const versions = await resource.check(c.source, from);
    assert.deepEqual(
      versions,
      c.expected.map((time) => ({ time })),
    );
  });
}

test("time source errors name the field", async () => {
  const resource = timeResource();
  const cases: Array<[ResourceConfig, RegExp]> = [
    [{ start: "9:00 AM" }, /must configure 'stop' if 'start' is set/],
    [{ start: "9h", stop: "10:00" }, /source\.start: invalid time format "9h"/],
    [{ interval: "soon" }, /source\.interval: invalid duration "soon"/],
    [{ location: "Mars/Olympus" }, /source\.location: unknown time zone "Mars\/Olympus"/],
    [{ days: ["Caturday"] }, /source\.days\.0: unknown weekday: Caturday/],
  ];
  for (const [source, message] of cases) {
    await assert.rejects(
      resource.check(source, undefined),
      (err) => err instanceof ResourceError && message.test(err.message),
    );
  }
});

test("times of day in time-resource's layouts", () => {
  const cases: Array<[string, number | undefined]> = [
    ["3:04 PM", 15 * 60 + 4],
    ["3PM", 15 * 60],
    ["3 PM", 15 * 60],
    ["12 AM", 0],
    ["12:30 PM", 12 * 60 + 30],
    ["15:04", 15 * 60 + 4],
    ["9:05", 9 * 60 + 5],
    ["1504", 15 * 60 + 4],
    ["3:04 PM -0700", 22 * 60 + 4],
    ["1:00 +0200", 23 * 60],
    ["3:04PM", undefined],
    ["13 PM", undefined],
    ["24:00", undefined],
    ["3pm", undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseTimeOfDay(text), expected, text);
});

test("time get writes input, timestamp and epoch of the version", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "time-get-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const resource = timeResource({ now: () => 0 });
  const source = { interval: "1h", location: "Europe/Paris" };
  const result = await resource.get(source, { time: "2026-12-03T09:00:00.5+01:00" }, {}, dir);
  assert.deepEqual(result, { version: { time: "2026-12-03T09:00:00.5+01:00" }, metadata: [] });
  assert.deepEqual(JSON.parse(await readFile(path.join(dir, "input"), "utf8")), {
    source,
    version: { time: "2026-12-03T09:00:00.5+01:00" },
  });
  assert.equal(await readFile(path.join(dir, "timestamp"), "utf8"), "2026-12-03 09:00:00.5 +0100 +0100");
  assert.equal(
    await readFile(path.join(dir, "epoch"), "utf8"),
    String(Date.parse("2026-12-03T08:00:00Z") / 1000),
  );
});

test("time put answers now in the location", async () => {
  const resource = timeResource({ now: () => at("2026-07-01T12:00:00Z") });
  const result = await resource.put({ location: "Europe/Paris" }, {}, "/nonexistent");
  assert.deepEqual(result, { version: { time: "2026-07-01T14:00:00+02:00" }, metadata: [] });
});
