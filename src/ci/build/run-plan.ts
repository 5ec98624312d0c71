/** The shape every step module shares: it runs its node and runs nested nodes through `run`. */
import type { PlanStep } from "../pipeline/index.ts";
import type { RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";

export type RunPlan = (plan: PlanStep, ctx: RunContext) => Promise<Outcome>;
export type StepOf<K extends PlanStep["kind"]> = Extract<PlanStep, { kind: K }>;
