/**
 * A resource's `source:` with its `((vars))` resolved from the pipeline's var sources. The
 * resolved values stay in memory: they go to the resource and into the config hash, and the
 * returned redactor scrubs them from any error text before it is logged or stored.
 */
import { interpolate } from "../../vars/interpolate.ts";
import { Redactor, redactingSource } from "../../vars/redactor.ts";
import type { VarSource } from "../../vars/source.ts";

export interface ResolvedSource {
  source: Record<string, unknown>;
  redactor: Redactor;
}

export async function resolveSource(
  source: Record<string, unknown> | undefined,
  vars: VarSource,
  redactor = new Redactor(),
): Promise<ResolvedSource> {
  const resolved = await interpolate(source ?? {}, redactingSource(vars, redactor));
  return { source: resolved as Record<string, unknown>, redactor };
}
