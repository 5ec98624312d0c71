// Latest-tag selection over 10,000 tags for each ImagePolicy kind: the first (cold) run, then the
// median and slowest of 50 runs after 10 warm-up runs, compile time included. The budget is well under 50 ms per evaluation.
// Run: scripts/with-node.sh node bench/image-policy.bench.ts [tags] [runs]
import { compilePolicy, type PolicyChoice, type TagFilter } from "../src/image/policy.ts";

const count = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 50);

/** A registry's worth of mixed tags: releases, pre-releases, CI builds, timestamps, junk. */
function tags(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const major = i % 7;
    const minor = Math.floor(i / 7) % 40;
    const patch = Math.floor(i / 280);
    const sha = ((i * 2654435761) >>> 0).toString(16).padStart(8, "0").slice(0, 7);
    out.push(`v${major}.${minor}.${patch}`);
    out.push(`${major}.${minor}.${patch}-rc.${i % 5}`);
    out.push(`main-${sha}-${1_700_000_000 + i * 37}`);
    out.push(
      `RELEASE.2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}-00-00Z`,
    );
    out.push(i % 3 === 0 ? `${100_000 + i}` : `${major}.${minor}.${patch}.sig`);
  }
  return out.slice(0, n);
}

const cases: [name: string, policy: PolicyChoice, filter?: TagFilter][] = [
  ["semver >=1.0.0 <5.0.0", { semver: { range: ">=1.0.0 <5.0.0" } }],
  ["semver ^1.x-0 (pre-releases)", { semver: { range: "^1.x-0" } }],
  [
    "semver on extracted version",
    { semver: { range: "~3.2" } },
    { pattern: "^v(?P<version>.*)$", extract: "$version" },
  ],
  ["alphabetical asc", { alphabetical: { order: "asc" } }],
  [
    "alphabetical on extracted timestamp",
    { alphabetical: {} },
    { pattern: "^RELEASE\\.(?P<timestamp>.*)Z$", extract: "$timestamp" },
  ],
  ["numerical asc (non-numbers dropped)", { numerical: { order: "asc" } }],
  [
    "numerical on extracted timestamp",
    { numerical: {} },
    { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts" },
  ],
];

// A tenant's hostile filter (issue 18): exponential on a backtracking engine, linear on RE2.
const hostile = `${"a".repeat(28)}!`;
const hostileTimes: number[] = [];
for (let run = 0; run < 20; run++) {
  const started = performance.now();
  compilePolicy({ alphabetical: {} }, { pattern: "^(a+)+$" }).select([hostile]);
  hostileTimes.push(performance.now() - started);
}
console.log(
  `hostile filter ^(a+)+$ on ${JSON.stringify(hostile)}: cold ${hostileTimes[0]!.toFixed(2)} ms, ` +
    `slowest warm ${Math.max(...hostileTimes.slice(1)).toFixed(2)} ms (budget 10 ms)`,
);

const list = tags(count);
console.log(`latest-tag selection over ${list.length} tags, ${runs} runs (node ${process.version})`);
for (const [name, policy, filter] of cases) {
  const times: number[] = [];
  let cold = 0;
  let selected: string | undefined;
  for (let run = 0; run < runs + 10; run++) {
    const started = performance.now();
    selected = compilePolicy(policy, filter).select(list)?.tag;
    if (run === 0) cold = performance.now() - started;
    if (run >= 10) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const slowest = times[times.length - 1]!;
  console.log(
    `${name.padEnd(38)} cold ${cold.toFixed(2).padStart(6)} ms  median ${median.toFixed(2).padStart(5)} ms  ` +
      `slowest ${slowest.toFixed(2).padStart(5)} ms  -> ${selected}`,
  );
}
