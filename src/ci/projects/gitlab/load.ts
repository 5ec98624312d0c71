/**
 * Loads a `.gitlab-ci.yml` from a repository checkout as GitLab composes it: local includes
 * (nested, `$CI_PROJECT_DIR` and other variables expanded, never leaving the repository) merged
 * under the including file, `!reference` tags resolved, `extends` (hidden jobs as templates),
 * `default:` and the deprecated top-level defaults applied, every job validated. Any problem is a
 * CiFileError naming file, line and key, before anything runs.
 */
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import {
  CiFileError,
  Locator,
  readCiFile,
  referenceKey,
  validated,
  type CiFile,
  type KeyPath,
} from "../ci-file.ts";
import { selectPaths } from "../workspace-files.ts";
import { parseHumanDuration } from "../human-duration.ts";
import { expandVariables } from "./variables.ts";
import type { GitlabConfig, GitlabImage, GitlabJob, GitlabService, GitlabVariable } from "./model.ts";
import type { Image, Retry, Service } from "./schema.ts";
import {
  Cache,
  DEFAULT_STAGES,
  Default,
  GLOBAL_KEYWORDS,
  Job,
  UNSUPPORTED_JOB_KEYWORDS,
  Variables,
  Workflow,
  type Need,
  type OnlyExcept,
  type Parallel,
  type Rule,
  type Script,
} from "./schema.ts";
import { ExpressionError, parseExpression } from "./expression.ts";
import { expandParallel, jobsNamed } from "./parallel.ts";

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const MAX_INCLUDES = 150;
const MAX_EXTENDS_DEPTH = 11;
const MAX_REFERENCE_DEPTH = 10;

export interface LoadOptions {
  /** The repository's checkout. */
  repoDir: string;
  /** The main file, relative to the repository (default `.gitlab-ci.yml`). */
  file?: string;
  /** Variables include paths may use (predefined and project variables). */
  variables?: Record<string, string>;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over;
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/** The local paths a file's `include:` names; anything else is refused with its kind. */
function localIncludes(file: CiFile, variables: Record<string, string>): { path: string; key: KeyPath }[] {
  const value = (file.value as Mapping | undefined)?.["include"];
  if (value === undefined) return [];
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry, i) => {
    const key: KeyPath = Array.isArray(value) ? ["include", i] : ["include"];
    const error = (message: string) =>
      new CiFileError({ file: file.name, line: file.lineOf(key), key }, message);
    let local: unknown;
    if (typeof entry === "string") {
      if (/^https?:\/\//.test(entry))
        throw error(
          `remote includes cannot be read here (no internet): ${entry}; vendor the file and include it with local:`,
        );
      local = entry;
    } else if (isMapping(entry)) {
      const kind = Object.keys(entry).find((k) =>
        ["local", "project", "remote", "template", "component"].includes(k),
      );
      if (kind !== "local")
        throw error(
          `${kind ?? "an include without local/project/remote/template/component"} includes need a GitLab server; only local includes are read`,
        );
      local = entry["local"];
    }
    if (typeof local !== "string") throw error("expected a local path");
    return { path: expandVariables(local, variables), key };
  });
}

async function readRepoFile(
  repoDir: string,
  relative: string,
  from: { file: string; line?: number | undefined; key?: KeyPath },
): Promise<CiFile> {
  const root = await realpath(repoDir);
  const inside = (p: string) => p === root || p.startsWith(`${root}${path.sep}`);
  const outside = () => new CiFileError(from, `${relative}: the include leads outside the repository`);
  const candidate = path.resolve(root, `.${path.posix.sep}${relative.replace(/^\/+/, "")}`);
  if (!inside(candidate)) throw outside();
  const resolved = await realpath(candidate).catch(() => undefined);
  if (resolved === undefined) throw new CiFileError(from, `${relative}: no such file in the repository`);
  if (!inside(resolved)) throw outside();
  const name = path.relative(root, resolved).split(path.sep).join("/");
  return readCiFile(name, await readFile(resolved, "utf8"));
}

/** A local include's files: the path itself, or for a wildcard (`configs/*.yml`, `**`) every match, sorted; none matching is an error. */
async function includedPaths(
  repoDir: string,
  relative: string,
  from: { file: string; line?: number | undefined; key?: KeyPath },
): Promise<string[]> {
  if (!/[*?[{]/.test(relative)) return [relative];
  const matches = (await selectPaths(repoDir, [relative.replace(/^\/+/, "")]))
    .filter((p) => /\.ya?ml$/.test(p))
    .sort();
  if (matches.length === 0) throw new CiFileError(from, `${relative}: no file in the repository matches`);
  return matches;
}

/** The files in merge order: each include before the file that includes it, the main file last. */
async function readWithIncludes(options: LoadOptions): Promise<CiFile[]> {
  const variables = { ...options.variables, CI_PROJECT_DIR: "" };
  const main = options.file ?? ".gitlab-ci.yml";
  const ordered: CiFile[] = [];
  const seen = new Set<string>();
  const visit = async (file: CiFile): Promise<void> => {
    if (!isMapping(file.value)) {
      throw new CiFileError({ file: file.name, line: 1 }, "expected a map of keywords and jobs");
    }
    for (const include of localIncludes(file, variables)) {
      const from = { file: file.name, line: file.lineOf(include.key), key: include.key };
      for (const relative of await includedPaths(options.repoDir, include.path, from)) {
        const included = await readRepoFile(options.repoDir, relative, from);
        if (seen.has(included.name)) throw new CiFileError(from, `${included.name} is already included`);
        if (seen.size >= MAX_INCLUDES) throw new CiFileError(from, `more than ${MAX_INCLUDES} includes`);
        seen.add(included.name);
        await visit(included);
      }
    }
    ordered.push(file);
  };
  const root = await readRepoFile(options.repoDir, main, { file: main });
  seen.add(root.name);
  await visit(root);
  return ordered;
}

/** Replaces every `!reference [job, key, ...]` with what it names, to MAX_REFERENCE_DEPTH levels. */
function resolveReferences(
  value: unknown,
  config: Mapping,
  locate: Locator,
  at: KeyPath,
  depth = 0,
): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => resolveReferences(item, config, locate, [...at, i], depth));
  if (!isMapping(value)) return value;
  const reference = value[referenceKey];
  if (reference !== undefined) {
    if (depth >= MAX_REFERENCE_DEPTH)
      throw locate.error(at, `!reference nests more than ${MAX_REFERENCE_DEPTH} levels`);
    if (!Array.isArray(reference) || reference.length === 0 || !reference.every((s) => typeof s === "string"))
      throw locate.error(at, "!reference expects a list of keys, such as [.setup, script]");
    let target: unknown = config;
    for (const key of reference) target = isMapping(target) ? target[key] : undefined;
    if (target === undefined) throw locate.error(at, `!reference [${reference.join(", ")}] names nothing`);
    return resolveReferences(target, config, locate, at, depth + 1);
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      resolveReferences(item, config, locate, [...at, key], depth),
    ]),
  );
}

function applyExtends(name: string, config: Mapping, locate: Locator, chain: string[] = []): Mapping {
  const job = config[name];
  if (!isMapping(job)) throw locate.error([name], "expected a job: a map of keywords");
  if (chain.includes(name))
    throw locate.error([chain[0]!, "extends"], `circular extends: ${[...chain, name].join(" → ")}`);
  if (chain.length > MAX_EXTENDS_DEPTH)
    throw locate.error([chain[0]!, "extends"], `extends nests more than ${MAX_EXTENDS_DEPTH} levels`);
  const parents = job["extends"];
  const { extends: _, ...own } = job;
  if (parents === undefined) return own;
  const names = Array.isArray(parents) ? parents : [parents];
  let merged: Mapping = {};
  for (const parent of names) {
    if (typeof parent !== "string")
      throw locate.error([name, "extends"], "expected a job name or a list of them");
    if (!(parent in config))
      throw locate.error([name, "extends"], `extends an unknown job ${JSON.stringify(parent)}`);
    merged = deepMerge(merged, applyExtends(parent, config, locate, [...chain, name])) as Mapping;
  }
  return deepMerge(merged, own) as Mapping;
}

const flattenScript = (script: z.infer<typeof Script> | undefined): string[] =>
  script === undefined ? [] : typeof script === "string" ? [script] : (script.flat(10) as string[]);

function normalizeVariables(
  variables: z.infer<typeof Variables> | undefined,
): Record<string, GitlabVariable> {
  const normalized: Record<string, GitlabVariable> = {};
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (typeof value === "object")
      normalized[name] = { value: String(value.value ?? ""), expand: value.expand !== false };
    else normalized[name] = { value: String(value), expand: true };
  }
  return normalized;
}

function normalizeImage(image: z.infer<typeof Image> | undefined): GitlabImage | undefined {
  if (image === undefined) return undefined;
  if (typeof image === "string") return { name: image };
  return { name: image.name, ...(image.entrypoint && { entrypoint: image.entrypoint }) };
}

/** A service's alias: its `alias`, else GitLab's names from the image (`docker:27-dind` → `docker`). */
function serviceOf(service: z.infer<typeof Service>): GitlabService {
  const spec = typeof service === "string" ? { name: service } : service;
  const repository = spec.name.replace(/[:@].*$/, "");
  const variables = Object.fromEntries(
    Object.entries(normalizeVariables(spec.variables)).map(([key, v]) => [key, v.value]),
  );
  return {
    name: spec.name,
    alias: spec.alias ?? repository.split("/").at(-1)!,
    ...(spec.entrypoint && { entrypoint: spec.entrypoint }),
    ...(spec.command && { command: spec.command }),
    variables,
  };
}

function normalizeRetry(retry: z.infer<typeof Retry> | undefined): GitlabJob["retry"] {
  if (retry === undefined) return { max: 0, when: ["always"], exitCodes: [] };
  if (typeof retry === "number") return { max: retry, when: ["always"], exitCodes: [] };
  const when =
    retry.when === undefined ? ["always"] : typeof retry.when === "string" ? [retry.when] : retry.when;
  const codes = retry.exit_codes;
  return {
    max: retry.max ?? 0,
    when,
    exitCodes: codes === undefined ? [] : typeof codes === "number" ? [codes] : codes,
  };
}

/** Which default keys reach the job: all, none, or the listed ones (`inherit: default`). */
function inheritedDefaults(job: Mapping, defaults: Mapping): Mapping {
  const inherit = isMapping(job["inherit"]) ? job["inherit"]["default"] : undefined;
  if (inherit === false) return {};
  if (Array.isArray(inherit))
    return Object.fromEntries(Object.entries(defaults).filter(([key]) => inherit.includes(key)));
  return defaults;
}

/** Parses every expression of the rules and `only`/`except: variables` now, so a typo is a file error. */
function checkExpressions(rules: readonly Rule[] | undefined, key: KeyPath, locate: Locator): void {
  for (const [i, rule] of (rules ?? []).entries()) {
    if (rule.if === undefined) continue;
    try {
      parseExpression(rule.if);
    } catch (error) {
      if (error instanceof ExpressionError) throw locate.error([...key, i, "if"], error.message);
      throw error;
    }
  }
}

function checkVariableExpressions(spec: OnlyExcept | undefined, key: KeyPath, locate: Locator): void {
  if (spec === undefined || Array.isArray(spec)) return;
  checkExpressions(
    spec.variables?.map((expression) => ({ if: expression })),
    [...key, "variables"],
    locate,
  );
}

function normalizeJob(
  name: string,
  raw: Mapping,
  defaults: Mapping,
  stages: string[],
  locate: Locator,
): { job: GitlabJob; parallel: Parallel | undefined } {
  const job = validated(Job, { ...inheritedDefaults(raw, defaults), ...raw }, [name], locate);
  for (const keyword of UNSUPPORTED_JOB_KEYWORDS) {
    if ((job as Record<string, unknown>)[keyword] !== undefined)
      throw locate.error([name, keyword], `${keyword} is not supported by Sluice's GitLab runner`);
  }
  if (job.script === undefined) throw locate.error([name], "a job needs a script");
  checkExpressions(job.rules, [name, "rules"], locate);
  checkVariableExpressions(job.only, [name, "only"], locate);
  checkVariableExpressions(job.except, [name, "except"], locate);
  const stage = job.stage ?? "test";
  if (!stages.includes(stage))
    throw locate.error(
      [name, "stage"],
      `unknown stage ${JSON.stringify(stage)}: the stages are ${stages.join(", ")}`,
    );
  const timeoutMs = job.timeout === undefined ? undefined : parseHumanDuration(job.timeout);
  if (job.timeout !== undefined && timeoutMs === undefined)
    throw locate.error(
      [name, "timeout"],
      `invalid duration ${JSON.stringify(job.timeout)}: expected e.g. 30m, 1h 30m or 3 hours`,
    );
  const cache = job.cache === undefined ? [] : Array.isArray(job.cache) ? job.cache : [job.cache];
  const image = normalizeImage(job.image);
  return { job: jobModel(name, stage, job, image, cache, timeoutMs), parallel: job.parallel };
}

function jobModel(
  name: string,
  stage: string,
  job: z.infer<typeof Job>,
  image: GitlabImage | undefined,
  cache: GitlabJob["cache"],
  timeoutMs: number | undefined,
): GitlabJob {
  const inheritVariables = job.inherit?.variables ?? true;
  return {
    name,
    stage,
    ...(image && { image }),
    services: (job.services ?? []).map(serviceOf),
    beforeScript: flattenScript(job.before_script),
    script: flattenScript(job.script),
    afterScript: flattenScript(job.after_script),
    variables: normalizeVariables(job.variables),
    inheritVariables,
    ...(job.rules && { rules: job.rules }),
    ...(job.only && { only: job.only }),
    ...(job.except && { except: job.except }),
    ...(job.needs && { needs: job.needs }),
    ...(job.dependencies && { dependencies: job.dependencies }),
    ...(job.artifacts && { artifacts: job.artifacts }),
    cache,
    when: job.when ?? "on_success",
    allowFailure: job.allow_failure,
    retry: normalizeRetry(job.retry),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
}

function defaultsOf(config: Mapping, locate: Locator): Mapping {
  const legacy = Object.fromEntries(
    ["image", "services", "before_script", "after_script", "cache"]
      .filter((k) => k in config)
      .map((k) => [k, config[k]]),
  );
  const declared =
    config["default"] === undefined ? {} : validated(Default, config["default"], ["default"], locate);
  validated(Default, legacy, [], locate);
  validated(Cache.optional(), config["cache"], ["cache"], locate);
  return { ...legacy, ...declared };
}

function stagesOf(config: Mapping, locate: Locator): string[] {
  const declared = config["stages"];
  if (declared === undefined) return DEFAULT_STAGES;
  if (!Array.isArray(declared) || !declared.every((s) => typeof s === "string"))
    throw locate.error(["stages"], "expected a list of stage names");
  return [".pre", ...declared.filter((s) => s !== ".pre" && s !== ".post"), ".post"];
}

/** The checks across jobs: needs and dependencies name jobs of earlier (or, for needs, the same) stages, needs have no cycle. */
function checkJobGraph(jobs: GitlabJob[], stages: string[], locate: Locator): void {
  const stageIndex = (job: GitlabJob) => stages.indexOf(job.stage);
  const needed = (need: Need) => jobsNamed(jobs, typeof need === "string" ? need : need.job);
  for (const job of jobs) {
    const key = job.parallelOf ?? job.name;
    for (const [i, need] of (job.needs ?? []).entries()) {
      const name = typeof need === "string" ? need : need.job;
      const optional = typeof need !== "string" && need.optional === true;
      if (typeof need !== "string" && (need.project !== undefined || need.pipeline !== undefined))
        throw locate.error([key, "needs", i], "needs from other projects or pipelines need a GitLab server");
      const [first] = needed(need);
      if (!first && !optional)
        throw locate.error([key, "needs", i], `needs an unknown job ${JSON.stringify(name)}`);
      if (first && stageIndex(first) > stageIndex(job))
        throw locate.error([key, "needs", i], `needs ${name}, of the later stage ${first.stage}`);
    }
    for (const [i, name] of (job.dependencies ?? []).entries()) {
      const [dependency] = jobsNamed(jobs, name);
      if (!dependency || stageIndex(dependency) >= stageIndex(job))
        throw locate.error([key, "dependencies", i], `${name} is not a job of an earlier stage`);
    }
  }
  const state = new Map<string, "visiting" | "done">();
  const visit = (job: GitlabJob, chain: string[]): void => {
    if (state.get(job.name) === "done") return;
    if (state.get(job.name) === "visiting")
      throw locate.error(
        [chain[0]!, "needs"],
        `needs form a cycle: ${[...chain.slice(chain.indexOf(job.name)), job.name].join(" → ")}`,
      );
    state.set(job.name, "visiting");
    for (const need of job.needs ?? []) for (const next of needed(need)) visit(next, [...chain, job.name]);
    state.set(job.name, "done");
  };
  for (const job of jobs) visit(job, []);
}

export async function loadGitlabConfig(options: LoadOptions): Promise<GitlabConfig> {
  const files = await readWithIncludes(options);
  const locate = new Locator(files);
  let merged: Mapping = {};
  for (const file of files) {
    const { include: _, ...rest } = file.value as Mapping;
    merged = deepMerge(merged, rest) as Mapping;
  }
  merged = resolveReferences(merged, merged, locate, []) as Mapping;
  if (merged["spec"] !== undefined)
    throw locate.error(["spec"], "CI/CD component specs (spec:) need a GitLab server");
  const stages = stagesOf(merged, locate);
  const defaults = defaultsOf(merged, locate);
  const workflow =
    merged["workflow"] === undefined
      ? undefined
      : validated(Workflow, merged["workflow"], ["workflow"], locate);
  checkExpressions(workflow?.rules, ["workflow", "rules"], locate);
  const variables = normalizeVariables(
    validated(Variables.optional(), merged["variables"], ["variables"], locate),
  );
  const jobs: GitlabJob[] = [];
  for (const name of Object.keys(merged)) {
    if ((GLOBAL_KEYWORDS as readonly string[]).includes(name) || name.startsWith(".")) continue;
    const { job, parallel } = normalizeJob(
      name,
      applyExtends(name, merged, locate),
      defaults,
      stages,
      locate,
    );
    jobs.push(...expandParallel(job, parallel));
  }
  if (jobs.length === 0) throw locate.error([], "the file defines no job");
  checkJobGraph(jobs, stages, locate);
  return {
    files: [files.at(-1)!, ...files.slice(0, -1)].map((f) => f.name),
    stages,
    variables,
    ...(workflow?.rules && { workflowRules: workflow.rules }),
    jobs,
  };
}
