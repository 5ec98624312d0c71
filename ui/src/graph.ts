/**
 * A pipeline's jobs in columns, as Concourse draws them: a job stands one column right of the
 * jobs its gets' `passed` name; the edges are those `passed` links.
 */
interface GetLike {
  get?: string;
  passed?: string[];
}

interface JobConfig {
  name: string;
  plan?: unknown[];
}

/** Every step of a plan, nested ones (do, in_parallel, try, across…) included. */
function steps(plan: unknown): Record<string, unknown>[] {
  if (Array.isArray(plan)) return plan.flatMap(steps);
  if (typeof plan !== "object" || plan === null) return [];
  const step = plan as Record<string, unknown>;
  const nested = [
    "do",
    "in_parallel",
    "aggregate",
    "try",
    "ensure",
    "on_success",
    "on_failure",
    "on_error",
    "on_abort",
  ]
    .map((key) => step[key])
    .map((value) => (typeof value === "object" && value !== null && "steps" in value ? value.steps : value));
  return [step, ...nested.flatMap(steps)];
}

export interface GraphEdge {
  from: string;
  to: string;
}

export function jobColumns(jobs: JobConfig[]): { columns: string[][]; edges: GraphEdge[] } {
  const upstream = new Map<string, Set<string>>();
  const names = new Set(jobs.map((j) => j.name));
  for (const job of jobs) {
    const passed = steps(job.plan).flatMap((s) =>
      (s as GetLike).get !== undefined ? ((s as GetLike).passed ?? []) : [],
    );
    upstream.set(job.name, new Set(passed.filter((name) => names.has(name) && name !== job.name)));
  }
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle (refused by validation) must not hang the page
    seen.add(name);
    const value = Math.max(-1, ...[...(upstream.get(name) ?? [])].map((u) => depthOf(u, seen))) + 1;
    depth.set(name, value);
    return value;
  };
  const columns: string[][] = [];
  for (const job of jobs) (columns[depthOf(job.name, new Set())] ??= []).push(job.name);
  const edges = [...upstream].flatMap(([to, from]) => [...from].map((f) => ({ from: f, to })));
  return { columns: columns.filter(Boolean), edges };
}
