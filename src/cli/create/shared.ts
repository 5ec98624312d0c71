/**
 * What every `sluice create <kind>` shares: flags, the spec checked against the API schema, and the
 * object printed (--export) or applied with a reconcile request and its outcome awaited.
 */
import type { Command } from "commander";
import { applyObject } from "../../install/apply.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { commandGroup, ensureServed, type FluxObject, type KindInfo } from "../shared/kinds.ts";
import { usageError } from "../shared/flags.ts";
import { withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";
import { newRequestedAt, requestAnnotation, waitForReconcile } from "../shared/wait.ts";

/** The `create` command group, shared by every module of create/. */
export const createGroup = (program: Command): Command =>
  commandGroup(program, "create", "create or update Flux objects (or print them with --export)");

/**
 * Server-side applies `obj` carrying a fresh `reconcile.fluxcd.io/requestedAt` (so that even an
 * unchanged object is reconciled now) and waits until the controller handled that request and the
 * object is Ready. `noun` names it in the progress lines ("GitRepository source", "Kustomization").
 */
export async function applyAndAwait(
  client: KubeClient,
  kind: KindInfo,
  obj: KubeObject,
  options: { noun: string; timeoutMs: number },
): Promise<FluxObject> {
  const { name = "", namespace = "" } = obj.metadata;
  await ensureServed(client, kind);
  const requestedAt = newRequestedAt();
  say.action(`applying ${options.noun} ${namespace}/${name}`);
  const annotations = { ...obj.metadata.annotations, ...requestAnnotation(requestedAt) };
  const { action } = await applyObject(client, { ...obj, metadata: { ...obj.metadata, annotations } });
  say.success(`${options.noun} ${action}`);
  say.waiting(`waiting for ${options.noun} reconciliation`);
  return waitForReconcile({ client, kind, name, namespace, requestedAt, timeoutMs: options.timeoutMs });
}

export interface CreateFlags extends KubeFlags {
  export: boolean;
}

/** The spec checked against the API schema (what the API server would refuse, refused with exit 2). */
export function checkedSpec(
  kind: KindInfo,
  spec: Record<string, unknown>,
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
): Record<string, unknown> {
  const checked = schema.safeParse(spec);
  if (!checked.success)
    throw usageError(`invalid ${kind.kind}: ${checked.error?.issues[0]?.message ?? "invalid spec"}`);
  return spec;
}

export const objectOf = (kind: KindInfo, name: string, namespace: string, spec: Record<string, unknown>) => ({
  apiVersion: kind.apiVersion,
  kind: kind.kind,
  metadata: { name, namespace },
  spec,
});

/** Prints the object (--export), or applies it, waits until Ready and prints the kind's result. */
export async function exportOrApply(kind: KindInfo, obj: KubeObject, flags: CreateFlags): Promise<void> {
  if (flags.export) {
    process.stdout.write(renderYaml([obj]));
    return;
  }
  say.generate(`generating ${kind.kind}`);
  await withCluster(flags, async (client) => {
    const ready = await applyAndAwait(client, kind, obj, { noun: kind.kind, timeoutMs: flags.timeout });
    say.success(`${kind.kind} reconciliation completed`);
    say.success(kind.result(ready));
  });
}
