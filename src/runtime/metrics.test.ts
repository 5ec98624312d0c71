import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry, RuntimeMetrics } from "./metrics.ts";

test("counters and gauges render in the Prometheus text format", () => {
  const r = new Registry();
  const c = r.counter("jobs_total", "Jobs done.", ["kind", "result"]);
  const g = r.gauge("depth", "Queue depth.", ["controller"]);
  c.inc({ kind: "GitRepository", result: "success" });
  c.inc({ kind: "GitRepository", result: "success" }, 2);
  c.inc({ kind: "Kustomization", result: "error" });
  g.set({ controller: "a" }, 4);
  g.set({ controller: "a" }, 1);
  assert.equal(
    r.render(),
    [
      "# HELP jobs_total Jobs done.",
      "# TYPE jobs_total counter",
      'jobs_total{kind="GitRepository",result="success"} 3',
      'jobs_total{kind="Kustomization",result="error"} 1',
      "# HELP depth Queue depth.",
      "# TYPE depth gauge",
      'depth{controller="a"} 1',
      "",
    ].join("\n"),
  );
});

test("histograms render cumulative buckets, +Inf, sum and count", () => {
  const r = new Registry();
  const h = r.histogram("latency_seconds", "Latency.", ["kind"], [0.1, 1, 0.5]);
  for (const v of [0.05, 0.1, 0.7, 3]) h.observe({ kind: "X" }, v);
  assert.equal(
    r.render(),
    [
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds histogram",
      'latency_seconds_bucket{kind="X",le="0.1"} 2',
      'latency_seconds_bucket{kind="X",le="0.5"} 2',
      'latency_seconds_bucket{kind="X",le="1"} 3',
      'latency_seconds_bucket{kind="X",le="+Inf"} 4',
      'latency_seconds_sum{kind="X"} 3.85',
      'latency_seconds_count{kind="X"} 4',
      "",
    ].join("\n"),
  );
});

test("label values are escaped and unknown labels rejected", () => {
  const r = new Registry();
  const c = r.counter("c_total", "C.", ["name"]);
  c.inc({ name: 'a "quoted"\\path\nline' });
  assert.match(r.render(), /^c_total\{name="a \\"quoted\\"\\\\path\\nline"\} 1$/m);
  assert.throws(() => c.inc({ other: "x" }), /unknown label "other"/);
  assert.throws(() => c.inc({}, -1), /cannot decrease/);
  assert.throws(() => r.counter("c_total", "again"), /already registered/);
  assert.throws(() => r.gauge("bad-name", "x"), /invalid metric name/);
});

test("the runtime registers the named Sluice metrics", () => {
  const m = new RuntimeMetrics();
  m.reconcileDuration.observe({ kind: "GitRepository" }, 0.2);
  m.reconcileTotal.inc({ kind: "GitRepository", result: "success" });
  m.workqueueDepth.set({ controller: "gitrepository" }, 0);
  m.watchRestarts.inc({ kind: "GitRepository" });
  const text = m.registry.render();
  for (const line of [
    "# TYPE sluice_reconcile_duration_seconds histogram",
    'sluice_reconcile_duration_seconds_count{kind="GitRepository"} 1',
    'sluice_reconcile_total{kind="GitRepository",result="success"} 1',
    'sluice_workqueue_depth{controller="gitrepository"} 0',
    'sluice_watch_restarts_total{kind="GitRepository"} 1',
  ]) {
    assert.ok(text.split("\n").includes(line), `missing line: ${line}`);
  }
});
