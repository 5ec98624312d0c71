/**
 * `across:` (Concourse's across_step.go): the step once per combination of the vars' values, in
 * the order of a cartesian product (the last var varies fastest). Each combination runs in its
 * own child scope holding the values as `((.:var))`, unredacted: they are shown in the UI anyway.
 * Each var's `max_in_flight` (default 1, `all` for no limit) bounds how many of its values run
 * at once, nested: `[a: 2, b: 1]` runs at most two values of a, each with its values of b in turn.
 */
import type { AcrossVar } from "../pipeline/index.ts";
import { childOrigin, type RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";
import { runBranches } from "./parallel.ts";
import { resolve, resolveFlag, resolveList, InvalidModifierError } from "./resolve.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

interface ResolvedVar {
  name: string;
  values: unknown[];
  maxInFlight: number;
}

async function resolveVar(acrossVar: AcrossVar, ctx: RunContext): Promise<ResolvedVar> {
  const field = `across var "${acrossVar.var}"`;
  const values = await resolveList(acrossVar.values ?? [], `${field}: values`, ctx);
  const limit = acrossVar.max_in_flight === undefined ? 1 : await resolve(acrossVar.max_in_flight, ctx);
  if (limit === "all") return { name: acrossVar.var, values, maxInFlight: values.length };
  if (Number.isInteger(limit) && (limit as number) > 0) {
    return { name: acrossVar.var, values, maxInFlight: limit as number };
  }
  throw new InvalidModifierError(`${field}: max_in_flight`, '"all" or an integer greater than 0', limit);
}

export async function runAcross(node: StepOf<"across">, ctx: RunContext, run: RunPlan): Promise<Outcome> {
  const vars: ResolvedVar[] = [];
  for (const acrossVar of node.vars) vars.push(await resolveVar(acrossVar, ctx));
  const failFast = await resolveFlag(node.fail_fast, "fail_fast", ctx);

  const runCombination = (values: unknown[], index: number, signal: AbortSignal) => {
    const scope = ctx.vars.child();
    vars.forEach((v, i) => scope.set(v.name, values[i]));
    return run(node.step, { ...ctx, signal, vars: scope, origin: childOrigin(ctx, "across", index) });
  };

  /** The combinations that start with `chosen`, whose first is combination number `first`. */
  const runLevel = (
    level: number,
    chosen: unknown[],
    first: number,
    signal: AbortSignal,
  ): Promise<Outcome> => {
    const { values, maxInFlight } = vars[level]!;
    const last = level === vars.length - 1;
    const perValue = vars.slice(level + 1).reduce((n, v) => n * v.values.length, 1);
    return runBranches(
      {
        count: values.length,
        limit: maxInFlight,
        failFast,
        run: (i, branchSignal) => {
          const combination = [...chosen, values[i]];
          const index = first + i * perValue;
          return last
            ? runCombination(combination, index, branchSignal)
            : runLevel(level + 1, combination, index, branchSignal);
        },
      },
      signal,
    );
  };
  return runLevel(0, [], 0, ctx.signal);
}
