/** The keys of a GitHub Actions workflow file, as GitHub reads them; unknown keys are errors. */
import { z } from "zod";

const Strings = z.array(z.string());
const Scalar = z.union([z.string(), z.number(), z.boolean()]);
export const Env = z.record(z.string(), Scalar);

const Filters = z.union([z.string(), Strings]);

export const PushTrigger = z
  .strictObject({
    branches: Filters.optional(),
    "branches-ignore": Filters.optional(),
    tags: Filters.optional(),
    "tags-ignore": Filters.optional(),
    paths: Filters.optional(),
    "paths-ignore": Filters.optional(),
  })
  .nullable();
export type PushTrigger = z.infer<typeof PushTrigger>;

/** `on:` as a name, a list of names, or a map of events (only push and workflow_dispatch run here). */
export const On = z.union([z.string(), Strings, z.record(z.string(), z.unknown())]);

const Defaults = z.strictObject({
  run: z
    .strictObject({ shell: z.string().optional(), "working-directory": z.string().optional() })
    .optional(),
});

export const Step = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  with: z.record(z.string(), Scalar).optional(),
  env: Env.optional(),
  "working-directory": z.string().optional(),
  "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
  "timeout-minutes": z.union([z.number(), z.string()]).optional(),
});
export type Step = z.infer<typeof Step>;

const Matrix = z.record(z.string(), z.unknown());

export const Job = z.strictObject({
  name: z.string().optional(),
  needs: Filters.optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  "runs-on": z.union([z.string(), Strings, z.record(z.string(), z.unknown())]).optional(),
  env: Env.optional(),
  defaults: Defaults.optional(),
  steps: z.array(Step).optional(),
  strategy: z
    .strictObject({
      matrix: z.union([Matrix, z.string()]).optional(),
      "fail-fast": z.union([z.boolean(), z.string()]).optional(),
      "max-parallel": z.union([z.number(), z.string()]).optional(),
    })
    .optional(),
  "timeout-minutes": z.union([z.number(), z.string()]).optional(),
  "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  container: z
    .union([
      z.string(),
      z.strictObject({
        image: z.string(),
        env: Env.optional(),
        options: z.string().optional(),
        credentials: z.record(z.string(), z.string()).optional(),
        ports: z.array(z.unknown()).optional(),
        volumes: Strings.optional(),
      }),
    ])
    .optional(),
  services: z.record(z.string(), z.unknown()).optional(),
  permissions: z.unknown().optional(),
  environment: z.unknown().optional(),
  concurrency: z.unknown().optional(),
  uses: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  secrets: z.unknown().optional(),
});
export type Job = z.infer<typeof Job>;

export const Workflow = z.strictObject({
  name: z.string().optional(),
  "run-name": z.string().optional(),
  on: On,
  env: Env.optional(),
  defaults: Defaults.optional(),
  permissions: z.unknown().optional(),
  concurrency: z.unknown().optional(),
  jobs: z.record(z.string(), Job),
});
export type Workflow = z.infer<typeof Workflow>;

/** A local composite action's `action.yml`. */
export const CompositeAction = z.looseObject({
  name: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z.looseObject({
        default: Scalar.optional(),
        required: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  outputs: z.record(z.string(), z.looseObject({ value: z.string() })).optional(),
  runs: z.looseObject({ using: z.string(), steps: z.array(Step).optional() }),
});
export type CompositeAction = z.infer<typeof CompositeAction>;
