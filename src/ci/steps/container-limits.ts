/**
 * A task's `container_limits` — the step's over its config's, vars resolved — as the sandbox's
 * bounds: `cpu` in Concourse's shares, `memory` in bytes or a size such as `512MB` or `1GB`
 * (binary units, as Docker and Concourse read them).
 */
import type { LeafStep, RunContext } from "../build/index.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import { interpolate } from "../vars/interpolate.ts";
import { TaskConfigError } from "./task-config.ts";

export interface TaskLimits {
  cpuShares?: number | undefined;
  memoryBytes?: number | undefined;
}

const units: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function memoryBytes(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value) : null;
  if (!match) {
    throw new TaskConfigError(
      `container_limits.memory: ${JSON.stringify(value)} is not a size (bytes, or a number with KB, MB, GB or TB)`,
    );
  }
  return Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!);
}

function cpuShares(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 2) return value;
  throw new TaskConfigError(
    `container_limits.cpu: ${JSON.stringify(value)} is not a number of CPU shares (2 or more)`,
  );
}

export async function taskLimits(
  step: LeafStep<"task">,
  config: TaskConfig,
  ctx: RunContext,
): Promise<TaskLimits | undefined> {
  const fromStep = (await interpolate(step.config.container_limits ?? {}, ctx.vars)) as Record<
    string,
    unknown
  >;
  const limits = { ...config.container_limits, ...fromStep };
  if (limits.cpu === undefined && limits.memory === undefined) return undefined;
  return {
    ...(limits.cpu !== undefined && { cpuShares: cpuShares(limits.cpu) }),
    ...(limits.memory !== undefined && { memoryBytes: memoryBytes(limits.memory) }),
  };
}
