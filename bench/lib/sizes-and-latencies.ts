/** What the store benchmarks measure: latency percentiles of a call, and sizes on disk. */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** p50 and p99 in milliseconds of `samples` sequential calls of `fn`. */
export async function latencies(
  samples: number,
  fn: (i: number) => Promise<void>,
): Promise<{ p50: string; p99: string }> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(2);
  return { p50: at(0.5), p99: at(0.99) };
}

/** The total size of the files directly in `dir` whose names `keep` accepts. */
export async function filesSize(dir: string, keep: (name: string) => boolean): Promise<number> {
  const names = (await readdir(dir)).filter(keep);
  const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** The total size of the files under `dir`. */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
