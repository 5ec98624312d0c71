import { parseDuration } from "../../api/duration.ts";
import { parseImageRepository, type ImageRepository } from "../../api/image/imagerepository/index.ts";
import type { RegistryLimiter } from "../../oci/registry-limiter.ts";
import { parseScanImage, ScanError, scanRepository } from "../../image/scanner.ts";
import type { TagStore } from "../../image/tag-store.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { markReady, Reason } from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { registryCa, registryCredentials } from "../registry-credentials.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

export interface ImageRepositoryReconcilerOptions {
  tags: TagStore;
  limiter: RegistryLimiter;
}

type Status = ImageRepository["status"];

/** Reconciles one ImageRepository: scan the registry's tags, store them compactly, report the scan. */
export class ImageRepositoryReconciler {
  readonly #options: ImageRepositoryReconcilerOptions;
  readonly #flow = new Reconcile<ImageRepository, Status>({
    kind: "ImageRepository",
    apiVersion: fluxApiVersions.ImageRepository,
    parse: parseImageRepository,
    cleanup: (raw) => this.#options.tags.delete(raw.metadata.namespace!, raw.metadata.name!),
    sync: (obj, status, ctx) => this.#scan(obj, status, ctx),
    classify: (err) => toReconcileError(err),
    retryAfterMs: (failure) => (failure.cause instanceof ScanError ? failure.cause.retryAfterMs : undefined),
  });

  constructor(options: ImageRepositoryReconcilerOptions) {
    this.#options = options;
  }

  reconcile = (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => this.#flow.run(raw, ctx);

  async #scan(obj: ImageRepository, status: Status, ctx: ReconcileContext): Promise<void> {
    const ns = obj.metadata.namespace!;
    const { spec } = obj;
    const reference = parseScanImage(spec.image);
    const credentials = await registryCredentials(ctx.client, ns, reference.registry, spec);
    const ca = await registryCa(ctx.client, ns, spec.certSecretRef);
    const result = await scanRepository({
      image: spec.image,
      credentials,
      insecure: spec.insecure,
      ca,
      exclusionList: spec.exclusionList,
      timeoutMs: parseDuration(spec.timeout ?? "60s"),
      signal: ctx.signal,
      limiter: this.#options.limiter,
    });
    const saved = await this.#options.tags.save(ns, obj.metadata.name!, result.tags);
    status.canonicalImageName = result.canonicalImageName;
    status.lastScanResult = {
      tagCount: saved.count,
      scanTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      revision: saved.revision,
      latestTags: result.latestTags,
    };
    status.observedExclusionList = spec.exclusionList ?? [];
    const truncated = saved.truncated ? ` (kept the ${saved.count} highest; narrow spec.exclusionList)` : "";
    status.conditions = markReady(status.conditions, {
      reason: Reason.Succeeded,
      message: `successful scan: found ${saved.count} tags${truncated}`,
    });
  }
}

function toReconcileError(err: unknown): ReconcileError {
  if (err instanceof ScanError)
    return new ReconcileError(err.reason, err.message, { stalled: !err.retryable, cause: err });
  return new ReconcileError(Reason.ReconciliationFailed, (err as Error).message, { cause: err });
}
