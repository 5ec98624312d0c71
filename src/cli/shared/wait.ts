/** Waiting on the cluster: polling with a deadline, and the reconcile-request handshake every verb uses. */
import type { KubeClient } from "../../kube/client.ts";
import { requestedAtAnnotation } from "../../api/kinds.ts";
import { SluiceError } from "../../common/errors.ts";
import { poll } from "../../common/poll.ts";
import { say } from "./output.ts";
import { describeRef, getCommand, getObject, readiness, type FluxObject, type KindInfo } from "./kinds.ts";

/** A new value for `reconcile.fluxcd.io/requestedAt` (what Flux writes: the current time). */
export function newRequestedAt(): string {
  return new Date().toISOString();
}

export const requestAnnotation = (requestedAt: string) => ({ [requestedAtAnnotation]: requestedAt });

/**
 * Asks the controller to reconcile now (a merge patch of the annotation), plus any `extra` patch
 * fields (outside `metadata`) and the `annotations` made from the request's time.
 */
export async function requestReconcile(
  client: KubeClient,
  kind: KindInfo,
  name: string,
  namespace: string,
  extra: Record<string, unknown> = {},
  annotations: (requestedAt: string) => Record<string, string> = () => ({}),
): Promise<string> {
  const requestedAt = newRequestedAt();
  await client.patch(
    { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace },
    {
      ...extra,
      metadata: { annotations: { ...annotations(requestedAt), ...requestAnnotation(requestedAt) } },
    },
    { type: "merge" },
  );
  return requestedAt;
}

/** Besides Ready, what the reconcile must have achieved (e.g. applied the revision a source just fetched). */
export type Accept = (obj: FluxObject) => boolean;

/** A reconcile requested at `requestedAt` of one object, to wait for up to `timeoutMs`. */
export interface ReconcileRequest {
  client: KubeClient;
  kind: KindInfo;
  name: string;
  namespace: string;
  requestedAt: string;
  timeoutMs: number;
  accept?: Accept | undefined;
}

/**
 * Waits until the controller has handled the request `requestedAt` (`status.lastHandledReconcileAt`
 * equals it: that status patch also carries the outcome) and returns the object when it is Ready
 * (and `accept`s it, when given: a later reconcile may still bring that). A reconcile that ended
 * not Ready fails with the Ready message.
 */
export async function waitForReconcile(request: ReconcileRequest): Promise<FluxObject> {
  const { client, kind, name, namespace, requestedAt, timeoutMs, accept } = request;
  const ref = describeRef(kind, namespace, name);
  return poll(
    `${ref} to be reconciled`,
    async () => {
      const obj = await getObject(client, kind, name, namespace);
      if (obj.status?.lastHandledReconcileAt !== requestedAt) return undefined;
      const { ready, message } = readiness(obj);
      if (ready === "True") return !accept || accept(obj) ? obj : undefined;
      if (ready === "False") throw new SluiceError(`${ref} is not ready: ${message}`);
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      hint: `is 'sluice server' running against this cluster? ('sluice install' deploys it); inspect with '${getCommand(kind, namespace, name)}'`,
    },
  );
}

/** Waits for the requested reconcile and prints its outcome as `flux reconcile` does. */
export async function awaitReconcileAndReport(request: ReconcileRequest): Promise<FluxObject> {
  const { kind } = request;
  say.waiting(`waiting for ${kind.kind} reconciliation`);
  const ready = await waitForReconcile(request);
  say.success(`${kind.kind} reconciliation completed`);
  say.success(kind.result(ready));
  return ready;
}
