/**
 * Whether an event runs a workflow: `on: push` with `branches`/`branches-ignore`,
 * `tags`/`tags-ignore` and `paths`/`paths-ignore` (patterns in order, `!` negating an earlier
 * match; a push whose changes are unknown — a new branch — passes the path filters), and
 * `workflow_dispatch` for manual runs. `[skip ci]`-style markers in the head commit skip pushes.
 */
import { compilePathGlob } from "../path-glob.ts";
import { asList, type Triggers } from "./load.ts";

export interface WorkflowEvent {
  kind: "push" | "workflow_dispatch";
  /** The branch or tag name pushed. */
  ref: string;
  tag: boolean;
  changes: ReadonlySet<string> | "all";
  message: string;
}

const skipMarker = /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i;

/** The last pattern that matches decides; `!pattern` excludes. */
function filtered(patterns: readonly string[], value: string): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const matcher = compilePathGlob(negated ? raw.slice(1) : raw);
    if (matcher?.(value)) matched = !negated;
  }
  return matched;
}

function refAllowed(include: string[] | undefined, ignore: string[] | undefined, ref: string): boolean {
  if (include) return filtered(include, ref);
  if (ignore) return !filtered(ignore, ref);
  return true;
}

export function workflowRuns(triggers: Triggers, event: WorkflowEvent): { run: boolean; reason?: string } {
  if (event.kind === "workflow_dispatch")
    return triggers.dispatch
      ? { run: true }
      : { run: false, reason: "the workflow has no workflow_dispatch" };
  if (triggers.push === undefined) return { run: false, reason: "the workflow does not run on push" };
  if (skipMarker.test(event.message)) return { run: false, reason: "the commit message asks to skip CI" };
  const push = triggers.push ?? {};
  const branches = asList(push.branches);
  const tags = asList(push.tags);
  if (event.tag) {
    if (branches && !tags) return { run: false, reason: "tags are not among the workflow's push filters" };
    if (!refAllowed(tags, asList(push["tags-ignore"]), event.ref))
      return { run: false, reason: `tag ${event.ref} is filtered out` };
  } else {
    if (tags && !branches)
      return { run: false, reason: "branches are not among the workflow's push filters" };
    if (!refAllowed(branches, asList(push["branches-ignore"]), event.ref))
      return { run: false, reason: `branch ${event.ref} is filtered out` };
  }
  if (event.changes === "all") return { run: true };
  const changed = [...event.changes];
  const paths = asList(push.paths);
  if (paths && !changed.some((file) => filtered(paths, file)))
    return { run: false, reason: "no changed file matches paths" };
  const ignored = asList(push["paths-ignore"]);
  if (ignored && changed.every((file) => filtered(ignored, file)))
    return { run: false, reason: "every changed file matches paths-ignore" };
  return { run: true };
}
