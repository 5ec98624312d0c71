import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { isReady, isStalled, type Condition } from "./conditions.ts";
import { mergePatch } from "./merge-patch.ts";
import { requestedAtAnnotation } from "../api/kinds.ts";

/** The status fields every reconciled kind shares (Flux's ReconcileRequestStatus + conditions). */
export interface ReconcileStatus {
  observedGeneration?: number;
  lastHandledReconcileAt?: string;
  conditions?: Condition[];
  [field: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Where a status patch goes: the `/status` subresource in production, a fake in unit tests. */
export interface StatusWriter {
  /** Applies a JSON merge patch (`{ status: … }`) to the status subresource. */
  patchStatus(ref: ObjectRef, patch: Record<string, unknown>): Promise<void>;
}

/**
 * Status is written with a JSON merge patch of exactly the fields that changed, like Flux's patch
 * helper: no resourceVersion precondition (the leader is the only status writer, so a conflict
 * would only cost a retry), no field-ownership churn in managedFields, and `conditions` replaced
 * whole, which is what we want since the controller owns every condition.
 */
export function kubeStatusWriter(client: KubeClient): StatusWriter {
  return {
    async patchStatus(ref, patch) {
      await client.patch(ref, patch, { type: "merge", subresource: "status" });
    },
  };
}

export function objectRef(obj: KubeObject): ObjectRef {
  if (!obj.metadata.name) throw new Error(`${obj.kind} has no name`);
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

/**
 * Collects a reconcile's status changes in `status` (a draft copied from the object as read) and
 * writes them in one patch at the end, only when something changed.
 */
export class StatusPatcher<S extends ReconcileStatus = ReconcileStatus> {
  readonly status: S;
  readonly #obj: KubeObject;
  readonly #before: S;
  readonly #writer: StatusWriter;
  #done = false;

  constructor(obj: KubeObject & { status?: S }, writer: StatusWriter) {
    this.#obj = obj;
    this.#writer = writer;
    this.#before = structuredClone(obj.status ?? ({} as S));
    this.status = structuredClone(this.#before);
  }

  /** The patch `patch()` would send now, or undefined when the status is unchanged. */
  pendingPatch(): Record<string, unknown> | undefined {
    const diff = mergePatch(this.#before, this.#finalStatus());
    return diff === undefined ? undefined : { status: diff };
  }

  /**
   * Writes the one status patch of this reconcile. Returns whether a patch was sent; an object
   * deleted meanwhile (404) is not an error.
   */
  async patch(): Promise<boolean> {
    if (this.#done) throw new Error("the status of this reconcile was already patched");
    this.#done = true;
    const patch = this.pendingPatch();
    if (!patch) return false;
    try {
      await this.#writer.patchStatus(objectRef(this.#obj), patch);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The draft plus what every reconcile records: the handled request and, when finished, the generation. */
  #finalStatus(): S {
    const requested = this.#obj.metadata.annotations?.[requestedAtAnnotation];
    if (requested !== undefined) this.status.lastHandledReconcileAt = requested;
    const finished = isReady(this.status.conditions) || isStalled(this.status.conditions);
    if (finished && this.#obj.metadata.generation !== undefined)
      this.status.observedGeneration = this.#obj.metadata.generation;
    return this.status;
  }
}

/**
 * Runs `fn` on a status draft and patches the status once afterwards, also when `fn` throws (a failed
 * reconcile still records its conditions). `fn`'s error wins over a failed patch.
 */
export async function withStatusPatch<S extends ReconcileStatus, R>(
  obj: KubeObject & { status?: S },
  writer: StatusWriter,
  fn: (status: S) => R | Promise<R>,
): Promise<R> {
  const patcher = new StatusPatcher<S>(obj, writer);
  let result: R;
  try {
    result = await fn(patcher.status);
  } catch (err) {
    await patcher.patch().catch(() => {});
    throw err;
  }
  await patcher.patch();
  return result;
}
