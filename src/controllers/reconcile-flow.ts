import { parseDuration } from "../api/duration.ts";
import { InvalidObjectError } from "../api/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { markFailedWithRetry, markStalled, setCondition, Reason } from "../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../runtime/controller.ts";
import { kubeStatusWriter, withStatusPatch, type ReconcileStatus } from "../runtime/status-patcher.ts";
import { ensureFinalizer, finalize } from "./finalizer.ts";
import { ReconcileError } from "./reconcile-error.ts";

export interface FlowObject {
  metadata: KubeObject["metadata"];
  /** without an interval an object is reconciled only when something it watches changes */
  spec: { interval?: string | undefined; suspend?: boolean | undefined };
}

/** What differs between kinds; everything else about a reconcile is the same for all of them. */
export interface ReconcileFlow<T extends FlowObject, S extends ReconcileStatus> {
  kind: string;
  /** the API version objects are converted to, named in deprecation events */
  apiVersion: string;
  parse(raw: KubeObject): { object: T; deprecated: string[] };
  /** cleanup before the finalizer lets a deleted object go */
  cleanup(raw: KubeObject, ctx: ReconcileContext): Promise<void>;
  /** brings the world to the spec, recording progress in `status`; throws on failure */
  sync(obj: T, status: S, ctx: ReconcileContext): Promise<void>;
  /** names an error that is not a ReconcileError already */
  classify(err: unknown, obj: T): ReconcileError;
  /** a failure waited for at a fixed interval instead of with backoff */
  retryAfterMs?(failure: ReconcileError, obj: T): number | undefined;
  /** extra conditions or event metadata for a failure */
  onFailure?(failure: ReconcileError, status: S): { revision?: string } | void;
}

/**
 * The reconcile every kind shares: finalize deleted objects; parse any served version (an invalid
 * object stalls), report deprecated fields once; skip suspended objects; make sure of the
 * finalizer; sync; then one status patch with Ready/Stalled/Reconciling, a Warning event for a
 * failure, and a requeue at the interval (or backoff, by throwing).
 */
export class Reconcile<T extends FlowObject, S extends ReconcileStatus> {
  readonly #flow: ReconcileFlow<T, S>;
  readonly #reported = new Map<string, string>();

  constructor(flow: ReconcileFlow<T, S>) {
    this.#flow = flow;
  }

  run = async (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => {
    if (raw.metadata.deletionTimestamp) {
      await finalize(ctx.client, raw, () => this.#flow.cleanup(raw, ctx));
      return {};
    }
    return withStatusPatch(
      raw as KubeObject & { status?: S },
      kubeStatusWriter(ctx.client),
      async (status) => {
        let obj: T;
        try {
          const converted = this.#flow.parse(raw);
          obj = converted.object;
          await this.#reportDeprecations(raw, converted.deprecated, ctx);
        } catch (err) {
          if (!(err instanceof InvalidObjectError)) throw err;
          status.conditions = markStalled(status.conditions, {
            reason: Reason.InvalidSpec,
            message: err.message,
          });
          return {};
        }
        if (obj.spec.suspend) return {};
        await ensureFinalizer(ctx.client, raw);
        try {
          await this.#flow.sync(obj, status, ctx);
          return obj.spec.interval ? { requeueAfterMs: parseDuration(obj.spec.interval) } : {};
        } catch (err) {
          return this.#fail(err, obj, status, ctx);
        }
      },
    );
  };

  async #fail(err: unknown, obj: T, status: S, ctx: ReconcileContext): Promise<ReconcileResult> {
    const failure = err instanceof ReconcileError ? err : this.#flow.classify(err, obj);
    const outcome = { reason: failure.reason, message: failure.message };
    if (failure.conditionType) {
      status.conditions = setCondition(status.conditions, {
        type: failure.conditionType,
        status: "True",
        ...outcome,
      });
    }
    const extra = this.#flow.onFailure?.(failure, status) ?? {};
    await ctx.events.event(obj as unknown as KubeObject, { type: "Warning", ...outcome, ...extra });
    if (failure.stalled) {
      status.conditions = markStalled(status.conditions, outcome);
      return {};
    }
    status.conditions = markFailedWithRetry(status.conditions, outcome);
    const retry = this.#flow.retryAfterMs?.(failure, obj);
    if (retry !== undefined) return { requeueAfterMs: retry };
    throw failure;
  }

  async #reportDeprecations(raw: KubeObject, deprecated: string[], ctx: ReconcileContext): Promise<void> {
    const fields = deprecated.filter((d) => d.startsWith("spec.")).join(", ");
    const uid = raw.metadata.uid ?? "";
    if (!fields || this.#reported.get(uid) === fields) return;
    this.#reported.set(uid, fields);
    await ctx.events.event(raw, {
      type: "Warning",
      reason: Reason.DeprecatedField,
      message: `deprecated field(s) ${fields} are converted or ignored by ${this.#flow.kind} ${this.#flow.apiVersion}; update the object`,
    });
  }
}
