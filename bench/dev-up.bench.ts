// Warm `sluice dev up` (binaries cached): time until the API answers and all nodes are Ready.
// Run: make bench   (or scripts/with-node.sh node bench/dev-up.bench.ts [runs] [nodes])
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { devDown, devUp } from "../src/dev/environment.ts";

const runs = Number(process.argv[2] ?? 3);
const nodes = Number(process.argv[3] ?? 3);
const timings: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-devup-"));
  const started = performance.now();
  try {
    await devUp({ dir, nodes });
    timings.push(performance.now() - started);
  } finally {
    await devDown(dir, { purge: true });
  }
}
const sorted = [...timings].sort((a, b) => a - b);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `dev up (warm, ${nodes} nodes, ${runs} runs): min ${fmt(sorted[0]!)}  median ${fmt(sorted[Math.floor(sorted.length / 2)]!)}  max ${fmt(sorted.at(-1)!)}  (target < 20 s)`,
);
