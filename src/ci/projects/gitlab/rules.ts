/**
 * Which jobs a pipeline gets, as GitLab decides when it creates one: `workflow: rules`, then per
 * job `rules` (first match wins; `when`, `allow_failure`, `variables`, `needs` from it), or
 * `only`/`except` (refs, variables, changes, kubernetes; keys conjoined), or the default
 * `only: [branches, tags]`. `changes` compares with the push's before-commit; where there is none
 * (a new branch, a tag, a manual run) every `changes` is true, as in GitLab.
 */
import { compilePathGlob } from "../path-glob.ts";
import { ExpressionError, parseExpression } from "./expression.ts";
import type { GitlabJob } from "./model.ts";
import type { AllowFailure, Changes, Need, OnlyExcept, Rule, When } from "./schema.ts";
import { expandVariables } from "./variables.ts";

export type PipelineSource = "push" | "web" | "api" | "schedule" | "trigger" | "merge_request_event";

export interface PipelineEvent {
  source: PipelineSource;
  /** The branch or tag name. */
  ref: string;
  tag: boolean;
  /** Paths changed by the push, or "all" when there is no before-commit to compare with. */
  changes: ReadonlySet<string> | "all";
  /** Every file of the commit (for `exists`). */
  files: readonly string[];
  /** The predefined variables (`CI_*`). */
  variables: Readonly<Record<string, string>>;
  /** The project's variables (its Secret): they win over the file's. */
  projectVariables: Readonly<Record<string, string>>;
}

export interface SelectedJob {
  job: GitlabJob;
  when: Exclude<When, "never">;
  /** Failing does not fail the pipeline: always, or for these exit codes. */
  allowFailure: boolean | number[];
  /** Variables a matching rule adds. */
  ruleVariables: Record<string, string>;
  needs?: Need[];
}

export class RuleError extends Error {
  constructor(job: string, message: string) {
    super(`${job}: ${message}`);
    this.name = "RuleError";
  }
}

function anyChanged(changes: Changes, event: PipelineEvent, job: string): boolean {
  if (!Array.isArray(changes) && changes.compare_to !== undefined)
    throw new RuleError(
      job,
      "changes: compare_to is not supported: changes compare with the push's before-commit",
    );
  if (event.changes === "all") return true;
  return anyPathMatches(Array.isArray(changes) ? changes : changes.paths, [...event.changes], event, job);
}

function anyPathMatches(
  patterns: readonly string[],
  paths: readonly string[],
  event: PipelineEvent,
  job: string,
): boolean {
  return patterns.some((pattern) => {
    const matcher = compilePathGlob(expandVariables(pattern, event.variables));
    if (!matcher) throw new RuleError(job, `invalid path pattern ${JSON.stringify(pattern)}`);
    return paths.some(matcher);
  });
}

function expressionHolds(text: string, variables: Readonly<Record<string, string>>, job: string): boolean {
  try {
    return parseExpression(text)(variables);
  } catch (error) {
    if (error instanceof ExpressionError) throw new RuleError(job, error.message);
    throw error;
  }
}

function ruleMatches(
  rule: Rule,
  event: PipelineEvent,
  variables: Readonly<Record<string, string>>,
  job: string,
): boolean {
  if (rule.if !== undefined && !expressionHolds(rule.if, variables, job)) return false;
  if (rule.changes !== undefined && !anyChanged(rule.changes, event, job)) return false;
  if (rule.exists !== undefined) {
    const patterns = Array.isArray(rule.exists) ? rule.exists : rule.exists.paths;
    if (!anyPathMatches(patterns, event.files, event, job)) return false;
  }
  return true;
}

const stringValues = (variables: Rule["variables"]): Record<string, string> =>
  Object.fromEntries(
    Object.entries(variables ?? {}).map(([k, v]) => [
      k,
      typeof v === "object" ? String(v.value ?? "") : String(v),
    ]),
  );

/** The first rule that matches, or undefined when none does. */
export function firstMatchingRule(
  rules: readonly Rule[],
  event: PipelineEvent,
  variables: Readonly<Record<string, string>>,
  job: string,
): Rule | undefined {
  return rules.find((rule) => ruleMatches(rule, event, variables, job));
}

/** Whether `workflow: rules` let the pipeline be created, with the variables they add. */
export function workflowAllows(
  rules: readonly Rule[] | undefined,
  event: PipelineEvent,
): { run: boolean; variables: Record<string, string> } {
  if (rules === undefined) return { run: true, variables: {} };
  const rule = firstMatchingRule(rules, event, event.variables, "workflow");
  if (!rule || rule.when === "never") return { run: false, variables: {} };
  return { run: true, variables: stringValues(rule.variables) };
}

const sourceRefs: Readonly<Record<string, PipelineSource>> = {
  pushes: "push",
  web: "web",
  api: "api",
  schedules: "schedule",
  triggers: "trigger",
  merge_requests: "merge_request_event",
};

function refMatches(ref: string, event: PipelineEvent): boolean {
  if (ref === "branches") return !event.tag;
  if (ref === "tags") return event.tag;
  const source = sourceRefs[ref];
  if (source !== undefined) return event.source === source;
  const name = ref.replace(/@.*$/, "");
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(name);
  if (regex) return expressionHolds(`$REF =~ ${name}`, { REF: event.ref }, "only");
  return name === event.ref;
}

/** Whether every key of an `only`/`except` holds for the event. */
function allKeysHold(
  spec: OnlyExcept,
  event: PipelineEvent,
  variables: Readonly<Record<string, string>>,
  job: string,
): boolean {
  const form = Array.isArray(spec) ? { refs: spec } : spec;
  if (form.refs !== undefined && !form.refs.some((ref) => refMatches(ref, event))) return false;
  if (form.variables !== undefined && !form.variables.some((e) => expressionHolds(e, variables, job)))
    return false;
  if (form.changes !== undefined && !anyChanged(form.changes, event, job)) return false;
  return true;
}

function allowFailureOf(value: AllowFailure | undefined, when: When): boolean | number[] {
  if (value === undefined) return when === "manual";
  if (typeof value === "boolean") return value;
  return typeof value.exit_codes === "number" ? [value.exit_codes] : value.exit_codes;
}

/** The job as this pipeline gets it, or undefined when the pipeline does not get it. */
export function selectJob(
  job: GitlabJob,
  event: PipelineEvent,
  variables: Readonly<Record<string, string>>,
): SelectedJob | undefined {
  if (job.rules !== undefined) {
    const rule = firstMatchingRule(job.rules, event, variables, job.name);
    const when = rule?.when ?? job.when;
    if (!rule || when === "never") return undefined;
    const allowFailure =
      rule.allow_failure !== undefined || job.allowFailure !== undefined
        ? allowFailureOf(rule.allow_failure ?? job.allowFailure, when)
        : false;
    return {
      job,
      when,
      allowFailure,
      ruleVariables: stringValues(rule.variables),
      ...((rule.needs ?? job.needs) && { needs: rule.needs ?? job.needs }),
    };
  }
  const only = job.only ?? ["branches", "tags"];
  if (!allKeysHold(only, event, variables, job.name)) return undefined;
  if (job.except !== undefined && allKeysHold(job.except, event, variables, job.name)) return undefined;
  if (job.when === "never") return undefined;
  return {
    job,
    when: job.when,
    allowFailure: allowFailureOf(job.allowFailure, job.when),
    ruleVariables: {},
    ...(job.needs && { needs: job.needs }),
  };
}
