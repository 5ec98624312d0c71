import {
  parseImagePolicy,
  withLegacyImageFields,
  type ImagePolicy,
} from "../../api/image/imagepolicy/index.ts";
import { CreationTimes, newestByCreation, tagOrderAnnotation } from "../../image/created-order.ts";
import { compilePolicy, InvalidPolicyError, type SelectedTag } from "../../image/policy.ts";
import { parseScanImage } from "../../image/scanner.ts";
import type { TagStore } from "../../image/tag-store.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { RegistryClientFactory } from "./digests.ts";
import { markReady, Reason, isReady } from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { checkAccess } from "./access.ts";
import { resolveDigest } from "./digests.ts";
import { fluxApiVersions } from "../../api/kinds.ts";
import { ImagePolicyReason } from "./reasons.ts";

export interface ImagePolicyReconcilerOptions {
  tags: TagStore;
  /** ImageRepositories by namespace/name, from the cache */
  lookupRepository: (namespace: string, name: string) => KubeObject | undefined;
  registries: RegistryClientFactory;
}

type Status = ImagePolicy["status"];
type Repository = KubeObject & {
  spec?: { image?: string; accessFrom?: { namespaceSelectors: { matchLabels?: Record<string, string> }[] } };
  status?: {
    canonicalImageName?: string;
    lastScanResult?: { revision?: string };
    conditions?: { type: string; status: string }[];
  };
};

/**
 * Reconciles one ImagePolicy: pick the newest allowed tag from the repository's latest scan (or,
 * for Flux v1's glob and regex filters, the image created last: created-order.ts).
 */
export class ImagePolicyReconciler {
  readonly #options: ImagePolicyReconcilerOptions;
  readonly #created = new CreationTimes();
  // spec.interval is only set with digestReflectionPolicy Always; otherwise a policy is
  // re-evaluated when its repository's scan changes
  readonly #flow = new Reconcile<ImagePolicy, Status>({
    kind: "ImagePolicy",
    apiVersion: fluxApiVersions.ImagePolicy,
    parse: parseImagePolicy,
    cleanup: async () => {},
    sync: (obj, status, ctx) => this.#select(obj, status, ctx),
    classify: (err) =>
      err instanceof InvalidPolicyError
        ? new ReconcileError(ImagePolicyReason.InvalidPolicy, err.message, { stalled: true, cause: err })
        : new ReconcileError(Reason.ReconciliationFailed, (err as Error).message, { cause: err }),
    retryAfterMs: (failure) => (failure.reason === Reason.DependencyNotReady ? 30_000 : undefined),
  });

  constructor(options: ImagePolicyReconcilerOptions) {
    this.#options = options;
  }

  reconcile = (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => this.#flow.run(raw, ctx);

  /** Flux v1's order: the image created last among the filtered tags (created-order.ts). */
  async #newestCreated(
    repo: Repository,
    image: string,
    tags: readonly string[],
    ctx: ReconcileContext,
  ): Promise<SelectedTag | undefined> {
    const reference = parseScanImage(image);
    const client = await this.#options.registries(repo, reference.registry, ctx);
    try {
      const createdOf = async (tag: string) => {
        try {
          return await this.#created.of(client, reference.repository, tag, ctx.signal);
        } catch (err) {
          throw new ReconcileError(
            Reason.ReconciliationFailed,
            `cannot read when ${image}:${tag} was created (the policy orders by creation time): ${(err as Error).message}`,
            { cause: err },
          );
        }
      };
      const tag = await newestByCreation(tags, createdOf);
      return tag === undefined ? undefined : { tag };
    } finally {
      await client.close();
    }
  }

  async #select(obj: ImagePolicy, status: Status, ctx: ReconcileContext): Promise<void> {
    const ns = obj.metadata.namespace!;
    const ref = obj.spec.imageRepositoryRef;
    const repoNs = ref.namespace ?? ns;
    const repo = this.#options.lookupRepository(repoNs, ref.name) as Repository | undefined;
    if (!repo)
      throw new ReconcileError(
        Reason.DependencyNotReady,
        `ImageRepository '${repoNs}/${ref.name}' not found`,
      );
    await checkAccess(ctx.client, ns, repo);
    const filter = obj.spec.filterTags?.pattern
      ? { pattern: obj.spec.filterTags.pattern, extract: obj.spec.filterTags.extract }
      : undefined;
    const selector = compilePolicy(obj.spec.policy, filter);
    const tags = await this.#options.tags.load(repoNs, ref.name);
    const ready = isReady(repo.status?.conditions);
    if (!tags || !ready)
      throw new ReconcileError(
        Reason.DependencyNotReady,
        `ImageRepository '${repoNs}/${ref.name}' has not been scanned successfully yet`,
      );
    const image = repo.spec?.image ?? repo.status?.canonicalImageName ?? ref.name;
    const selected =
      obj.metadata.annotations?.[tagOrderAnnotation] === "created"
        ? await this.#newestCreated(repo, image, selector.candidates(tags), ctx)
        : selector.select(tags);
    if (!selected) {
      throw new ReconcileError(
        Reason.ReconciliationFailed,
        `no tag of ${image} matches the policy (${tags.length} tags in the latest scan): check spec.policy and spec.filterTags`,
      );
    }
    const previous = status.latestRef;
    const keepDigest =
      obj.spec.digestReflectionPolicy === "IfNotPresent" && previous?.tag === selected.tag && previous.digest;
    const digest = keepDigest
      ? previous.digest
      : await resolveDigest(
          this.#options.registries,
          repo,
          image,
          selected.tag,
          obj.spec.digestReflectionPolicy,
          ctx,
        );
    const latest = { name: image, tag: selected.tag, ...(digest ? { digest } : {}) };
    if (previous && (previous.tag !== latest.tag || previous.digest !== latest.digest))
      status.observedPreviousRef = previous;
    status.latestRef = latest;
    Object.assign(status, withLegacyImageFields({ ...status }));
    const message = `Latest image tag for '${image}' resolved to ${selected.tag}${digest ? ` (${digest})` : ""}`;
    status.conditions = markReady(status.conditions, { reason: Reason.Succeeded, message });
    if (!previous || previous.tag !== latest.tag) {
      const from = previous
        ? ` updated from ${previous.tag} to ${selected.tag}`
        : ` resolved to ${selected.tag}`;
      await ctx.events.event(obj, {
        type: "Normal",
        reason: Reason.Succeeded,
        message: `Latest image tag for '${image}'${from}`,
      });
    }
  }
}
