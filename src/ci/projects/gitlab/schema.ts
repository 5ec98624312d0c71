/**
 * The keywords of a `.gitlab-ci.yml` job and of its top level, as GitLab reads them, for the
 * merged configuration (after include, extends, default and !reference). Unknown keywords are
 * errors; keywords Sluice reads but cannot honour offline are refused by name in load.ts.
 */
import { z } from "zod";

const Strings = z.array(z.string());

/** A script: a string or a list whose items may themselves be lists (from `!reference`). */
type ScriptItems = (string | ScriptItems)[];
const ScriptItems: z.ZodType<ScriptItems> = z.lazy(() => z.array(z.union([z.string(), ScriptItems])));
export const Script = z.union([z.string(), ScriptItems]);

export const Image = z.union([
  z.string(),
  z.strictObject({
    name: z.string(),
    entrypoint: Strings.optional(),
    pull_policy: z.union([z.string(), Strings]).optional(),
    docker: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type Image = z.infer<typeof Image>;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const VariableValue = z.union([
  Scalar,
  z.strictObject({
    value: Scalar.optional(),
    description: z.string().optional(),
    expand: z.boolean().optional(),
    options: Strings.optional(),
  }),
]);
export const Variables = z.record(z.string(), VariableValue);
export type Variables = z.infer<typeof Variables>;

export const Service = z.union([
  z.string(),
  z.strictObject({
    name: z.string(),
    alias: z.string().optional(),
    entrypoint: Strings.optional(),
    command: Strings.optional(),
    variables: Variables.optional(),
    pull_policy: z.union([z.string(), Strings]).optional(),
    docker: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type Service = z.infer<typeof Service>;

export const When = z.enum(["on_success", "on_failure", "always", "manual", "delayed", "never"]);
export type When = z.infer<typeof When>;

const AllowFailure = z.union([
  z.boolean(),
  z.strictObject({ exit_codes: z.union([z.int(), z.array(z.int())]) }),
]);
export type AllowFailure = z.infer<typeof AllowFailure>;

const Changes = z.union([Strings, z.strictObject({ paths: Strings, compare_to: z.string().optional() })]);
export type Changes = z.infer<typeof Changes>;

const Exists = z.union([
  Strings,
  z.strictObject({ paths: Strings, project: z.string().optional(), ref: z.string().optional() }),
]);

export const Need = z.union([
  z.string(),
  z.strictObject({
    job: z.string(),
    artifacts: z.boolean().optional(),
    optional: z.boolean().optional(),
    pipeline: z.string().optional(),
    project: z.string().optional(),
    ref: z.string().optional(),
    parallel: z.unknown().optional(),
  }),
]);
export type Need = z.infer<typeof Need>;

export const Rule = z.strictObject({
  if: z.string().optional(),
  changes: Changes.optional(),
  exists: Exists.optional(),
  when: When.optional(),
  allow_failure: AllowFailure.optional(),
  variables: Variables.optional(),
  needs: z.array(Need).optional(),
  start_in: z.string().optional(),
  interruptible: z.boolean().optional(),
});
export type Rule = z.infer<typeof Rule>;

export const OnlyExcept = z.union([
  Strings,
  z.strictObject({
    refs: Strings.optional(),
    variables: Strings.optional(),
    changes: Changes.optional(),
    kubernetes: z.string().optional(),
  }),
]);
export type OnlyExcept = z.infer<typeof OnlyExcept>;

export const Artifacts = z.strictObject({
  paths: Strings.optional(),
  exclude: Strings.optional(),
  expire_in: z.string().optional(),
  expose_as: z.string().optional(),
  name: z.string().optional(),
  public: z.boolean().optional(),
  access: z.string().optional(),
  reports: z.record(z.string(), z.unknown()).optional(),
  untracked: z.boolean().optional(),
  when: z.enum(["on_success", "on_failure", "always"]).optional(),
});
export type Artifacts = z.infer<typeof Artifacts>;

const CacheEntry = z.strictObject({
  key: z
    .union([z.string(), z.number(), z.strictObject({ files: Strings, prefix: z.string().optional() })])
    .optional(),
  paths: Strings.optional(),
  untracked: z.boolean().optional(),
  when: z.enum(["on_success", "on_failure", "always"]).optional(),
  policy: z.enum(["pull", "push", "pull-push"]).optional(),
  unprotect: z.boolean().optional(),
  fallback_keys: Strings.optional(),
});
export const Cache = z.union([CacheEntry, z.array(CacheEntry)]);
export type Cache = z.infer<typeof Cache>;
export type CacheEntry = z.infer<typeof CacheEntry>;

export const Retry = z.union([
  z.int().min(0).max(2),
  z.strictObject({
    max: z.int().min(0).max(2).optional(),
    when: z.union([z.string(), Strings]).optional(),
    exit_codes: z.union([z.int(), z.array(z.int())]).optional(),
  }),
]);
export type Retry = z.infer<typeof Retry>;

const Inherit = z.strictObject({
  default: z.union([z.boolean(), Strings]).optional(),
  variables: z.union([z.boolean(), Strings]).optional(),
});

/** Keywords GitLab has that need a GitLab server (or a runner feature Sluice does not have). */
export const UNSUPPORTED_JOB_KEYWORDS = [
  "trigger",
  "release",
  "pages",
  "secrets",
  "id_tokens",
  "dast_configuration",
  "identity",
  "run",
] as const;

const MatrixValue = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);

/** `parallel: N` (2 to 200 copies) or `parallel: matrix:` (a list of variable → values maps). */
export const Parallel = z.union([
  z.int().min(1).max(200),
  z.strictObject({ matrix: z.array(z.record(z.string(), MatrixValue)).min(1) }),
]);
export type Parallel = z.infer<typeof Parallel>;

export const Job = z.strictObject({
  image: Image.optional(),
  parallel: Parallel.optional(),
  services: z.array(Service).optional(),
  script: Script.optional(),
  before_script: Script.optional(),
  after_script: Script.optional(),
  stage: z.string().optional(),
  variables: Variables.optional(),
  rules: z.array(Rule).optional(),
  only: OnlyExcept.optional(),
  except: OnlyExcept.optional(),
  needs: z.array(Need).optional(),
  dependencies: Strings.optional(),
  artifacts: Artifacts.optional(),
  cache: Cache.optional(),
  when: When.optional(),
  allow_failure: AllowFailure.optional(),
  retry: Retry.optional(),
  timeout: z.string().optional(),
  inherit: Inherit.optional(),
  tags: Strings.optional(),
  environment: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  interruptible: z.boolean().optional(),
  coverage: z.string().optional(),
  resource_group: z.string().optional(),
  start_in: z.string().optional(),
  hooks: z.record(z.string(), z.unknown()).optional(),
  manual_confirmation: z.string().optional(),
  ...Object.fromEntries(UNSUPPORTED_JOB_KEYWORDS.map((key) => [key, z.unknown().optional()])),
});
export type Job = z.infer<typeof Job>;

export const Default = z.strictObject({
  image: Image.optional(),
  services: z.array(Service).optional(),
  before_script: Script.optional(),
  after_script: Script.optional(),
  cache: Cache.optional(),
  artifacts: Artifacts.optional(),
  retry: Retry.optional(),
  timeout: z.string().optional(),
  tags: Strings.optional(),
  interruptible: z.boolean().optional(),
  hooks: z.record(z.string(), z.unknown()).optional(),
  id_tokens: z.unknown().optional(),
});
export type Default = z.infer<typeof Default>;

export const Workflow = z.strictObject({
  name: z.string().optional(),
  rules: z.array(Rule).optional(),
  auto_cancel: z.record(z.string(), z.unknown()).optional(),
});
export type Workflow = z.infer<typeof Workflow>;

/** Top-level keys that are not jobs. `image` … `cache` at the top are GitLab's deprecated defaults. */
export const GLOBAL_KEYWORDS = [
  "stages",
  "variables",
  "include",
  "default",
  "workflow",
  "image",
  "services",
  "before_script",
  "after_script",
  "cache",
  "spec",
] as const;

export const DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"];
