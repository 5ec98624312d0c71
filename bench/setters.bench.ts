// Setter rewrite throughput: a repository of 5,000 YAML files, 500 of them with an image policy
// marker, all rewritten to a new tag. Run: scripts/with-node.sh node bench/setters.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applySettersToTree } from "../src/automation/setters.ts";

const files = 5000;
const marked = 500;
const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-setters-"));
try {
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `apps/app-${i % 100}`);
    await mkdir(sub, { recursive: true });
    const marker = i % (files / marked) === 0 ? ` # {"$imagepolicy": "apps:app-${i % 10}"}` : "";
    const body = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example/app-${i % 10}:1.0.0${marker}\n`;
    await writeFile(path.join(sub, `deploy-${i}.yaml`), body);
  }
  const policies = new Map(
    Array.from(
      { length: 10 },
      (_, i) => [`apps:app-${i}`, { name: `registry.example/app-${i}`, tag: "2.0.0" }] as const,
    ),
  );
  const started = performance.now();
  const result = await applySettersToTree(dir, policies);
  const ms = performance.now() - started;
  console.log(
    `setters over ${files} YAML files with ${marked} markers: ${result.changes.length} changes in ${result.files.length} files, ${(ms / 1000).toFixed(2)} s (target < 2 s)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
