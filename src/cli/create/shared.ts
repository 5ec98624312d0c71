/** What every `sluice create <kind>` shares: apply the object with a reconcile request and await its outcome. */
import type { Command } from "commander";
import { applyObject } from "../../install/apply.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { commandGroup, ensureServed, type FluxObject, type KindInfo } from "../shared/kinds.ts";
import { say } from "../shared/output.ts";
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
  return waitForReconcile(client, kind, name, namespace, requestedAt, options.timeoutMs);
}
