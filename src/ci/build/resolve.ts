/**
 * Modifier fields that may be `((vars))` (attempts, timeout, limit, max_in_flight, fail_fast,
 * across values), resolved when the step runs, from the step's scope.
 */
import { interpolate } from "../vars/interpolate.ts";
import { valueKind } from "../vars/source.ts";
import type { RunContext } from "./context.ts";

export class InvalidModifierError extends Error {
  constructor(field: string, expected: string, got: unknown) {
    super(`${field}: expected ${expected}, got ${valueKind(got)}`);
    this.name = "InvalidModifierError";
  }
}

export const resolve = (value: unknown, ctx: RunContext): Promise<unknown> => interpolate(value, ctx.vars);

export async function resolvePositive(
  value: number | string,
  field: string,
  ctx: RunContext,
): Promise<number> {
  const resolved = await resolve(value, ctx);
  if (Number.isInteger(resolved) && (resolved as number) > 0) return resolved as number;
  throw new InvalidModifierError(field, "an integer greater than 0", resolved);
}

export async function resolveFlag(value: boolean | string | undefined, field: string, ctx: RunContext) {
  const resolved = value === undefined ? false : await resolve(value, ctx);
  if (typeof resolved === "boolean") return resolved;
  throw new InvalidModifierError(field, "a boolean", resolved);
}

export async function resolveString(value: string, field: string, ctx: RunContext): Promise<string> {
  const resolved = await resolve(value, ctx);
  if (typeof resolved === "string") return resolved;
  throw new InvalidModifierError(field, "a string", resolved);
}

export async function resolveList(value: unknown, field: string, ctx: RunContext): Promise<unknown[]> {
  const resolved = await resolve(value, ctx);
  if (Array.isArray(resolved)) return resolved as unknown[];
  throw new InvalidModifierError(field, "a list", resolved);
}
