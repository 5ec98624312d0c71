import { parseDuration } from "../../api/duration.ts";
import { parseKustomization, type Kustomization } from "../../api/kustomize/kustomization/index.ts";
import { applyStaged, ApplyValidationError, type ChangeSetEntry } from "../../kube/apply.ts";
import type { KubeClient } from "../../kube/client.ts";
import { KubeApiError } from "../../kube/errors.ts";
import { entryOf, objectId, staleEntries, type InventoryEntry, type ObjectId } from "../../kube/inventory.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { pruneStale, type PruneResult } from "../../kube/prune.ts";
import { buildManifests, ExtractedArtifacts, KustomizeError } from "../../kustomize/index.ts";
import {
  markReady,
  removeCondition,
  setCondition,
  Reason as SharedReason,
} from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { buildSettings, fieldManager, ownerLabels, withOwnerLabels } from "../../kustomize/build-settings.ts";
import { checkDependencies } from "./dependencies.ts";
import { waitForHealth } from "./health-wait.ts";
import { KustomizationCondition, KustomizationReason as Reason } from "./reasons.ts";
import {
  ArtifactFetcher,
  artifactOf,
  SourceArtifactError,
  type SourceArtifact,
} from "../../kustomize/source-artifact.ts";
import { variableLookup } from "../../kustomize/substitute-from.ts";
import { fluxApiVersions } from "../../api/kinds.ts";

export interface KustomizationReconcilerOptions {
  kustomizeBinary: string;
  /** Kustomizations by namespace/name (dependsOn) and sources by kind/namespace/name, from the caches */
  lookup: (namespace: string, name: string) => KubeObject | undefined;
  lookupSource: (kind: string, namespace: string, name: string) => KubeObject | undefined;
  /** fail on postBuild variables without a value or default (Flux's StrictPostBuildSubstitutions) */
  strictSubstitution?: boolean;
  /** refuse sourceRef and dependsOn into other namespaces (multi-tenancy lockdown) */
  noCrossNamespaceRefs?: boolean;
  artifacts?: ArtifactFetcher;
}

type Status = Kustomization["status"];
const api = fluxApiVersions.Kustomization;

/** Reconciles one Kustomization: build the source's manifests, apply them, prune what left, wait for health. */
export class KustomizationReconciler {
  readonly #options: KustomizationReconcilerOptions;
  readonly #artifacts: ArtifactFetcher;
  readonly #extracted = new ExtractedArtifacts();

  constructor(options: KustomizationReconcilerOptions) {
    this.#options = options;
    this.#artifacts = options.artifacts ?? new ArtifactFetcher();
  }

  readonly #flow = new Reconcile<Kustomization, Status>({
    kind: "Kustomization",
    apiVersion: api,
    parse: parseKustomization,
    cleanup: (raw, ctx) => this.#onDelete(raw, ctx),
    sync: (obj, status, ctx) => this.#sync(obj, status, ctx),
    classify: (err) => toReconcileError(err),
    // dependencies and sources are waited for at retryInterval, not with backoff (as Flux does)
    retryAfterMs: (failure, obj) =>
      failure.reason === Reason.DependencyNotReady || failure.reason === Reason.ArtifactFailed
        ? parseDuration(obj.spec.retryInterval ?? obj.spec.interval)
        : undefined,
    onFailure: (failure, status) => {
      if (failure.reason === Reason.HealthCheckFailed) {
        const outcome = { reason: failure.reason, message: failure.message };
        status.conditions = setCondition(status.conditions, {
          type: KustomizationCondition.Healthy,
          status: "False",
          ...outcome,
        });
      }
      return status.lastAttemptedRevision ? { revision: status.lastAttemptedRevision } : {};
    },
  });

  reconcile = (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => this.#flow.run(raw, ctx);

  #client(obj: Kustomization, ctx: ReconcileContext): KubeClient {
    const sa = obj.spec.serviceAccountName;
    return sa ? ctx.client.asServiceAccount(obj.metadata.namespace!, sa) : ctx.client;
  }

  async #sync(obj: Kustomization, status: Status, ctx: ReconcileContext): Promise<void> {
    const ns = obj.metadata.namespace!;
    this.#checkUnsupported(obj);
    this.#checkCrossNamespace(obj);
    checkDependencies(obj, this.#options.lookup, (d) => this.#sourceRevisionOf(d));
    const artifact = artifactOf(obj.spec.sourceRef, ns, this.#options.lookupSource);
    status.lastAttemptedRevision = artifact.revision;
    const bytes = await this.#artifacts.fetch(artifact, ctx.signal);
    const client = this.#client(obj, ctx);
    const objects = await this.#build(obj, artifact, bytes, client, ctx);
    const changes = await applyStaged(client, objects, { fieldManager, force: obj.spec.force ?? false });
    const entries = objects.map(entryOf);
    const pruned = obj.spec.prune
      ? await this.#prune(obj, client, status.inventory?.entries ?? [], entries)
      : [];
    status.inventory = { entries: entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
    await this.#reportChanges(obj, artifact.revision, changes, pruned, ctx);
    await this.#checkHealth(obj, objects, client, ctx);
    status.lastAppliedRevision = artifact.revision;
    const message = `Applied revision: ${artifact.revision}`;
    let conds = removeCondition(status.conditions, KustomizationCondition.Healthy);
    if (obj.spec.wait || obj.spec.healthChecks?.length) {
      conds = setCondition(conds, {
        type: KustomizationCondition.Healthy,
        status: "True",
        reason: SharedReason.Succeeded,
        message: "Health check passed",
      });
    }
    status.conditions = markReady(conds, { reason: Reason.ReconciliationSucceeded, message });
  }

  async #build(
    obj: Kustomization,
    source: SourceArtifact,
    artifact: Buffer,
    client: KubeClient,
    ctx: ReconcileContext,
  ): Promise<KubeObject[]> {
    const { spec } = obj;
    const built = await buildManifests({
      artifact,
      revision: source.revision,
      digest: source.digest,
      extracted: this.#extracted,
      path: spec.path,
      kustomization: buildSettings(spec),
      lookupVars: variableLookup(client, obj.metadata.namespace!),
      kustomizeBinary: this.#options.kustomizeBinary,
      signal: ctx.signal,
      timeoutMs: parseDuration(spec.timeout ?? spec.interval),
      strictSubstitution: this.#options.strictSubstitution ?? false,
    });
    return withOwnerLabels(built, obj);
  }

  async #prune(
    obj: Kustomization,
    client: KubeClient,
    previous: InventoryEntry[],
    next: InventoryEntry[],
  ): Promise<PruneResult[]> {
    try {
      return await pruneStale(client, staleEntries(previous, next), ownerLabels(obj));
    } catch (err) {
      throw new ReconcileError(Reason.PruneFailed, `prune failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async #checkHealth(
    obj: Kustomization,
    objects: KubeObject[],
    client: KubeClient,
    ctx: ReconcileContext,
  ): Promise<void> {
    const ids: ObjectId[] = obj.spec.wait ? objects.map(objectId) : [];
    for (const check of obj.spec.healthChecks ?? []) {
      const apiVersion = check.apiVersion ?? "";
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
      ids.push({
        namespace: check.namespace ?? obj.metadata.namespace!,
        name: check.name,
        kind: check.kind,
        group: group!,
        version: version!,
      });
    }
    if (ids.length === 0) return;
    await waitForHealth(client, ids, parseDuration(obj.spec.timeout ?? obj.spec.interval), ctx.signal);
  }

  async #onDelete(raw: KubeObject, ctx: ReconcileContext): Promise<void> {
    const obj = raw as KubeObject & {
      spec?: { prune?: boolean; suspend?: boolean; serviceAccountName?: string };
      status?: Status;
    };
    if (!obj.spec?.prune || obj.spec.suspend) return; // orphan what was applied
    const client = obj.spec.serviceAccountName
      ? ctx.client.asServiceAccount(obj.metadata.namespace!, obj.spec.serviceAccountName)
      : ctx.client;
    const results = await pruneStale(client, obj.status?.inventory?.entries ?? [], ownerLabels(obj));
    const deleted = results.filter((r) => r.action === "deleted").map((r) => `${r.subject} deleted`);
    if (deleted.length)
      await ctx.events.event(raw, {
        type: "Normal",
        reason: Reason.Progressing,
        message: deleted.join("\n"),
      });
  }

  async #reportChanges(
    obj: Kustomization,
    revision: string,
    changes: ChangeSetEntry[],
    pruned: PruneResult[],
    ctx: ReconcileContext,
  ) {
    const lines = [
      ...changes
        .filter((c) => c.action === "created" || c.action === "configured")
        .map((c) => `${c.subject} ${c.action}`),
      ...pruned.filter((p) => p.action === "deleted").map((p) => `${p.subject} deleted`),
    ];
    if (lines.length === 0) return;
    await ctx.events.event(obj, {
      type: "Normal",
      reason: Reason.Progressing,
      message: lines.join("\n"),
      revision,
    });
  }

  #sourceRevisionOf(ks: KubeObject): string | undefined {
    const ref = (
      ks as KubeObject & { spec?: { sourceRef?: { kind: string; name: string; namespace?: string } } }
    ).spec?.sourceRef;
    if (!ref) return undefined;
    const source = this.#options.lookupSource(ref.kind, ref.namespace ?? ks.metadata.namespace!, ref.name) as
      (KubeObject & { status?: { artifact?: { revision?: string } } }) | undefined;
    return source?.status?.artifact?.revision;
  }

  #checkUnsupported(obj: Kustomization): void {
    const unsupported = [
      obj.spec.kubeConfig && "spec.kubeConfig",
      obj.spec.decryption && "spec.decryption",
    ].filter(Boolean);
    if (unsupported.length) {
      throw new ReconcileError(
        Reason.Unsupported,
        `${unsupported.join(" and ")} ${unsupported.length > 1 ? "are" : "is"} not supported by Sluice yet: remove it`,
        { stalled: true },
      );
    }
  }

  #checkCrossNamespace(obj: Kustomization): void {
    if (!this.#options.noCrossNamespaceRefs) return;
    const ns = obj.metadata.namespace;
    const foreign = [
      obj.spec.sourceRef.namespace,
      ...(obj.spec.dependsOn ?? []).map((d) => d.namespace),
    ].find((n) => n !== undefined && n !== ns);
    if (foreign) {
      throw new ReconcileError(
        Reason.AccessDenied,
        `cross-namespace references are disabled on this server: '${foreign}' is not '${ns}'`,
        { stalled: true },
      );
    }
  }
}

function toReconcileError(err: unknown): ReconcileError {
  if (err instanceof ReconcileError) return err;
  if (err instanceof SourceArtifactError)
    return new ReconcileError(Reason.ArtifactFailed, err.message, { stalled: err.stalled, cause: err });
  // ArtifactFailed (a path missing from the artifact) is retried at retryInterval, as a source is.
  if (err instanceof KustomizeError) return new ReconcileError(err.reason, err.message, { cause: err });
  if (err instanceof ApplyValidationError)
    return new ReconcileError(Reason.ReconciliationFailed, err.message, { cause: err });
  if (err instanceof KubeApiError && err.status === 403) {
    return new ReconcileError(
      Reason.ReconciliationFailed,
      `access denied: ${err.message}; grant the service account the permissions it needs`,
      { cause: err },
    );
  }
  return new ReconcileError(Reason.ReconciliationFailed, (err as Error).message, { cause: err });
}
