import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runGraph, runOutcome, type GraphJob, type JobResult } from "./run-graph.ts";

const job = (name: string, after: string[] = [], over: Partial<GraphJob> = {}): GraphJob => ({
  name,
  after,
  when: "on_success",
  allowedToFail: () => false,
  ...over,
});

async function run(jobs: GraphJob[], results: Record<string, JobResult>, play?: string[]) {
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const reports = await runGraph({
    jobs,
    signal: new AbortController().signal,
    concurrency: 2,
    ...(play && { play: new Set(play) }),
    run: async (j) => {
      order.push(j.name);
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return results[j.name] ?? { outcome: "succeeded" };
    },
  });
  const states = Object.fromEntries([...reports].map(([name, r]) => [name, r.state]));
  return { order, states, most, outcome: runOutcome(reports), reports };
}

describe("running a job graph", () => {
  it("starts a job after those it waits for, at most `concurrency` at once", async () => {
    const result = await run([job("a"), job("b"), job("c"), job("d", ["a", "b", "c"])], {});
    assert.equal(result.most, 2);
    assert.equal(result.order.at(-1), "d");
    assert.equal(result.outcome, "succeeded");
  });

  it("skips on_success jobs after a failure, runs on_failure and always jobs, cascades the skip", async () => {
    const result = await run(
      [
        job("build"),
        job("test", ["build"]),
        job("deploy", ["test"]),
        job("cleanup", ["test"], { when: "always" }),
        job("notify", ["test"], { when: "on_failure" }),
      ],
      { build: { outcome: "failed", exitCode: 1 } },
    );
    assert.deepEqual(result.states, {
      build: "failed",
      test: "skipped",
      deploy: "skipped",
      cleanup: "succeeded",
      notify: "succeeded",
    });
    assert.equal(result.outcome, "failed");
  });

  it("lets allowed failures (by exit code) pass, and skips on_failure jobs when nothing failed", async () => {
    const result = await run(
      [
        job("lint", [], { allowedToFail: (code) => code === 3 }),
        job("test", ["lint"]),
        job("notify", ["test"], { when: "on_failure" }),
      ],
      { lint: { outcome: "failed", exitCode: 3 } },
    );
    assert.deepEqual(result.states, { lint: "failed", test: "succeeded", notify: "skipped" });
    assert.equal(result.reports.get("lint")!.allowedFailure, true);
    assert.equal(result.outcome, "succeeded");
  });

  it("leaves manual jobs unplayed unless asked, and holds back dependents of a blocking one", async () => {
    const jobs = [
      job("deploy", [], { when: "manual", blocking: true }),
      job("smoke", ["deploy"]),
      job("docs", [], { when: "manual" }),
    ];
    const idle = await run(jobs, {});
    assert.deepEqual(idle.states, { deploy: "manual", smoke: "skipped", docs: "manual" });
    const played = await run(jobs, {}, ["deploy"]);
    assert.deepEqual(played.states, { deploy: "succeeded", smoke: "succeeded", docs: "manual" });
  });
});
