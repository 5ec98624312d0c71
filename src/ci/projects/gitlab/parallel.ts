/**
 * `parallel:` as GitLab expands it: `parallel: N` makes jobs `name 1/N` … `name N/N` with
 * `CI_NODE_INDEX` and `CI_NODE_TOTAL`; `parallel: matrix:` makes one job per combination of each
 * entry's values, named `name: [v1, v2]`, with those variables. `needs` and `dependencies` naming
 * the job mean every one of its copies.
 */
import type { GitlabJob } from "./model.ts";
import type { Parallel } from "./schema.ts";

const variable = (value: string) => ({ value, expand: false });

function combinations(
  entry: Record<string, string | number | (string | number)[]>,
): Record<string, string>[] {
  let result: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(entry)) {
    const list = (Array.isArray(values) ? values : [values]).map(String);
    result = result.flatMap((combination) => list.map((value) => ({ ...combination, [key]: value })));
  }
  return result;
}

export function expandParallel(job: GitlabJob, parallel: Parallel | undefined): GitlabJob[] {
  if (parallel === undefined) return [job];
  const copy = (name: string, extra: Record<string, string>, index: number, total: number): GitlabJob => ({
    ...job,
    name,
    parallelOf: job.name,
    variables: {
      ...job.variables,
      ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, variable(value)])),
      CI_NODE_INDEX: variable(String(index)),
      CI_NODE_TOTAL: variable(String(total)),
    },
  });
  if (typeof parallel === "number")
    return Array.from({ length: parallel }, (_, i) =>
      copy(`${job.name} ${i + 1}/${parallel}`, {}, i + 1, parallel),
    );
  const all = parallel.matrix.flatMap(combinations);
  return all.map((combination, i) =>
    copy(`${job.name}: [${Object.values(combination).join(", ")}]`, combination, i + 1, all.length),
  );
}

/** Whether `name` means the job: its own name, or that of the parallel job it is a copy of. */
export const isNamed = (job: GitlabJob, name: string): boolean =>
  job.name === name || job.parallelOf === name;

/** The jobs `name` means: the job itself, or every copy of a parallel job. */
export const jobsNamed = (jobs: readonly GitlabJob[], name: string): GitlabJob[] =>
  jobs.filter((job) => isNamed(job, name));
