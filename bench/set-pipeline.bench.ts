// set-pipeline of a large pipeline, as `sluice ci set-pipeline` does it before anything is sent:
// the template with its flag vars, validation, the normalised YAML, and the diff against the
// current config (one job changed). Run: scripts/with-node.sh node bench/set-pipeline.bench.ts [jobs]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parsePipeline } from "../src/ci/pipeline/index.ts";
import { evaluatePipelineTemplate, pipelineYaml } from "../src/cli/ci/pipeline-template.ts";
import { unifiedDiff } from "../src/common/line-diff.ts";

const jobs = Number(process.argv[2] ?? 200);

function pipeline(changedJob: number): string {
  const lines = ["resources:"];
  for (let i = 0; i < jobs; i++) {
    lines.push(`  - { name: src-${i}, type: git, source: { uri: "((git.url))/app-${i}", branch: main } }`);
    lines.push(
      `  - { name: img-${i}, type: registry-image, source: { repository: "((registry))/app-${i}" } }`,
    );
  }
  lines.push("jobs:");
  for (let i = 0; i < jobs; i++) {
    const passed = i > 0 ? `, passed: [job-${i - 1}]` : "";
    lines.push(
      `  - name: job-${i}`,
      "    plan:",
      `      - get: src-${i}`,
      "        trigger: true",
      `      - { get: img-${Math.max(0, i - 1)}${passed} }`,
      `      - task: build`,
      "        config:",
      "          platform: linux",
      "          image_resource: { type: registry-image, source: { repository: golang, tag: '1.22' } }",
      `          inputs: [{ name: src-${i} }]`,
      "          outputs: [{ name: image }]",
      `          run: { path: sh, args: [-ec, "go build ./... # ${i === changedJob ? "changed" : "v1"}"] }`,
      `      - put: img-${i}`,
      "        params: { image: image/image.tar }",
    );
  }
  return `${lines.join("\n")}\n`;
}

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-set-pipeline-"));
try {
  const file = path.join(dir, "pipeline.yml");
  const flags = { vars: ["registry=127.0.0.1:5000"] };
  await writeFile(file, pipeline(-1));
  const current = pipelineYaml(
    (parsePipeline(pipelineYaml(await evaluatePipelineTemplate(file, flags))) as { pipeline: unknown })
      .pipeline,
  );
  await writeFile(file, pipeline(jobs - 1));
  const times: Record<string, number[]> = { template: [], validate: [], normalise: [], diff: [] };
  for (let round = 0; round < 7; round++) {
    let at = performance.now();
    const lap = (step: string) => {
      const now = performance.now();
      times[step]!.push(now - at);
      at = now;
    };
    const doc = await evaluatePipelineTemplate(file, flags);
    lap("template");
    const parsed = parsePipeline(pipelineYaml(doc));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
    lap("validate");
    const yaml = pipelineYaml(parsed.pipeline);
    lap("normalise");
    const diff = unifiedDiff(current, yaml, ["current", "new"]);
    lap("diff");
    if (!diff.includes("changed")) throw new Error("the diff misses the changed job");
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `set-pipeline of ${jobs} jobs, ${jobs * 2} resources (${(pipeline(0).length / 1024).toFixed(0)} KiB), median of 7:`,
  );
  let total = 0;
  for (const [step, xs] of Object.entries(times)) {
    total += median(xs);
    console.log(`  ${step.padEnd(10)} ${median(xs).toFixed(1).padStart(7)} ms`);
  }
  console.log(
    `  ${"total".padEnd(10)} ${total.toFixed(1).padStart(7)} ms (before the one PUT to the server)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
