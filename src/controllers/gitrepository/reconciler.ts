import { createHash } from "node:crypto";
import { parseDuration } from "../../api/duration.ts";
import { RemoteRefsCache } from "../../git/remote-refs-cache.ts";
import { ArchiveCache } from "../../source/archive-cache.ts";
import type { Artifact } from "../../api/meta.ts";
import type { GitRepository } from "../../api/source/gitrepository/v1.ts";
import { parseGitRepository } from "../../api/source/gitrepository/parse.ts";
import { lsRemote } from "../../git/repository.ts";
import { redact, type GitAuth } from "../../git/exec.ts";
import type { MirrorCache } from "../../git/mirror-cache.ts";
import { withTransportAuth } from "../../git/transport-auth.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { markReady, removeCondition, setCondition } from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import type { ArtifactStore } from "../../source/artifact-store.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { buildSourceArchive, commitSubject, type IncludedContent } from "./artifact-builder.ts";
import { readGitSecret } from "../git-credentials.ts";
import { classifyGitError } from "../git-errors.ts";
import { GitRepositoryCondition as Cond, GitRepositoryReason as Reason } from "./reasons.ts";
import { resolveRef, RefNotFoundError, type ResolvedRef } from "./ref.ts";
import { fluxApiVersions, requestedAtAnnotation } from "../../api/kinds.ts";

export interface GitRepositoryReconcilerOptions {
  store: ArtifactStore;
  mirrors: MirrorCache;
  /** file:// URLs read the controller's own disk: refused unless allowed */
  allowFileUrls: boolean;
  /** GitRepositories by namespace/name, from the controller's cache (for `include`) */
  lookup: (namespace: string, name: string) => KubeObject | undefined;
  /** Secrets by namespace/name from the watch cache; a miss falls back to the API */
  lookupSecret?: (namespace: string, name: string) => KubeObject | undefined;
  /** shared ls-remote answers and built archives */
  refs?: RemoteRefsCache;
  archives?: ArchiveCache;
  /** older artifacts kept per object besides the current one */
  retainArtifacts?: number;
}

type Status = GitRepository["status"];
interface GitCall {
  timeoutMs: number;
  signal: AbortSignal;
  auth?: GitAuth;
}
type StatusDraft = Status & { conditions?: NonNullable<Status["conditions"]> };
const kind = "GitRepository";

/** Reconciles one GitRepository: resolve the ref remotely, fetch only when it changed, store the artifact. */
export class GitRepositoryReconciler {
  readonly #options: GitRepositoryReconcilerOptions;
  readonly #refs: RemoteRefsCache;
  readonly #archives: ArchiveCache;

  constructor(options: GitRepositoryReconcilerOptions) {
    this.#options = options;
    this.#refs = options.refs ?? new RemoteRefsCache();
    this.#archives = options.archives ?? new ArchiveCache();
  }

  readonly #flow = new Reconcile<GitRepository, StatusDraft>({
    kind,
    apiVersion: fluxApiVersions.GitRepository,
    parse: parseGitRepository,
    cleanup: (raw) => this.#options.store.deleteObject(kind, raw.metadata.namespace!, raw.metadata.name!),
    sync: (obj, status, ctx) => this.#sync(obj, status, ctx),
    classify: (err, obj) => classifyGitError(err, obj.spec.url, obj.spec.secretRef?.name),
  });

  reconcile = (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => this.#flow.run(raw, ctx);

  /** Settings this server refuses: stalled, since only a spec change helps. */
  #checkSupported(spec: GitRepository["spec"]): void {
    if (spec.url.startsWith("file://") && !this.#options.allowFileUrls) {
      throw new ReconcileError(
        Reason.URLInvalid,
        "file:// URLs are disabled on this server (start 'sluice server --allow-file-urls' to allow them)",
        {
          stalled: true,
          conditionType: Cond.FetchFailed,
        },
      );
    }
    if (spec.verify) {
      throw new ReconcileError(
        Reason.VerificationNotSupported,
        "commit signature verification (spec.verify) is not supported by Sluice yet: remove spec.verify",
        {
          stalled: true,
        },
      );
    }
  }

  async #sync(obj: GitRepository, status: StatusDraft, ctx: ReconcileContext): Promise<void> {
    const { spec } = obj;
    const ns = obj.metadata.namespace!;
    this.#checkSupported(spec);
    const secret = spec.secretRef
      ? await readGitSecret(ctx.client, ns, spec.secretRef.name, this.#options.lookupSecret)
      : undefined;
    const timeoutMs = parseDuration(spec.timeout ?? "60s");
    const withAuth = <T>(fn: (call: GitCall) => Promise<T>) =>
      withTransportAuth(spec.url, secret, (auth) =>
        fn({ timeoutMs, signal: ctx.signal, ...(auth ? { auth } : {}) }),
      );
    // credentials are materialised on disk only when the remote is actually contacted
    const remoteKey = `${spec.url}\n${createHash("sha256")
      .update(JSON.stringify(secret ?? {}))
      .digest("hex")}`;
    const refs = await this.#refs.get(remoteKey, reconcileRequested(obj), () =>
      withAuth((call) => lsRemote(spec.url, call)),
    );
    const ref = resolveWithReason(spec.ref, refs, spec.url);
    const includes = await this.#includes(obj);
    if (await this.#upToDate(obj, status, ref, includes.artifacts)) {
      // the artifact server may have moved (a restart on another address): keep the URL current
      if (status.artifact) status.artifact.url = this.#options.store.urlOf(status.artifact.path);
      this.#markStored(status, ref.revision, obj);
      return;
    }
    await withAuth(async (call) => {
      const depth = ref.fetch === ref.sha && !ref.shortName ? undefined : 1;
      const mirror = await this.#options.mirrors.ensureCommit(spec.url, ref.fetch, ref.sha, {
        ...call,
        depth,
      });
      const fetched: ResolvedRef =
        mirror.sha === ref.sha
          ? ref
          : { ...ref, sha: mirror.sha, revision: ref.revision.replace(ref.sha, mirror.sha) };
      const recurseSubmodules = spec.recurseSubmodules ?? false;
      // objects sharing a repository, revision and content settings build the archive once
      const contentKey = JSON.stringify([
        mirror.dir,
        fetched.sha,
        spec.ignore,
        recurseSubmodules,
        includes.artifacts.map((a) => a.digest),
      ]);
      const archive = await this.#archives.getOrBuild(contentKey, () =>
        buildSourceArchive({
          url: spec.url,
          mirrorDir: mirror.dir,
          ref: fetched,
          auth: call.auth,
          ignore: spec.ignore,
          recurseSubmodules,
          includes: includes.contents,
          signal: ctx.signal,
          timeoutMs,
        }),
      );
      const previous = status.artifact;
      const artifact = await this.#store(obj, fetched.revision, archive.bytes, archive.digest);
      status.artifact = artifact;
      if (includes.artifacts.length) status.includedArtifacts = includes.artifacts;
      else delete status.includedArtifacts;
      this.#markStored(status, fetched.revision, obj);
      if (previous?.digest !== artifact.digest || previous?.revision !== artifact.revision) {
        const subject = await commitSubject(mirror.dir, fetched.sha).catch(() => "");
        await ctx.events.event(obj, {
          type: "Normal",
          reason: Reason.NewArtifact,
          message: `stored artifact for commit '${subject || fetched.sha.slice(0, 12)}'`,
          revision: fetched.revision,
        });
      }
    });
  }

  #markStored(status: StatusDraft, revision: string, obj: GitRepository): void {
    const message = `stored artifact for revision '${revision}'`;
    let conds = status.conditions;
    for (const t of [Cond.FetchFailed, Cond.StorageOperationFailed, Cond.IncludeUnavailable])
      conds = removeCondition(conds, t);
    conds = setCondition(conds, {
      type: Cond.ArtifactInStorage,
      status: "True",
      reason: Reason.Succeeded,
      message,
    });
    status.conditions = markReady(conds, { reason: Reason.Succeeded, message });
    if (obj.spec.ignore !== undefined) status.observedIgnore = obj.spec.ignore;
    else delete status.observedIgnore;
    if (obj.spec.recurseSubmodules !== undefined)
      status.observedRecurseSubmodules = obj.spec.recurseSubmodules;
    else delete status.observedRecurseSubmodules;
    if (obj.spec.include?.length) status.observedInclude = obj.spec.include;
    else delete status.observedInclude;
  }

  /** Nothing to do when the revision, the content settings and the included artifacts are unchanged. */
  async #upToDate(
    obj: GitRepository,
    status: StatusDraft,
    ref: ResolvedRef,
    included: Artifact[],
  ): Promise<boolean> {
    const a = status.artifact;
    if (!a || a.revision !== ref.revision || !(await this.#options.store.exists(a.path))) return false;
    const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
    return (
      same(status.observedIgnore, obj.spec.ignore) &&
      same(status.observedRecurseSubmodules ?? false, obj.spec.recurseSubmodules ?? false) &&
      same(status.observedInclude ?? [], obj.spec.include ?? []) &&
      same(
        (status.includedArtifacts ?? []).map((i) => i.digest),
        included.map((i) => i.digest),
      )
    );
  }

  async #store(obj: GitRepository, revision: string, bytes: Buffer, digest: string): Promise<Artifact> {
    const owner = { kind, namespace: obj.metadata.namespace!, name: obj.metadata.name! };
    try {
      const artifact = await this.#options.store.put({ ...owner, revision, bytes, digest });
      await this.#options.store.gc({
        ...owner,
        keep: [artifact.path],
        retain: this.#options.retainArtifacts ?? 1,
      });
      return artifact;
    } catch (err) {
      throw new ReconcileError(
        Reason.StorageOperationFailed,
        `storing the artifact failed: ${(err as Error).message}`,
        {
          conditionType: Cond.StorageOperationFailed,
          cause: err,
        },
      );
    }
  }

  async #includes(obj: GitRepository): Promise<{ artifacts: Artifact[]; contents: IncludedContent[] }> {
    const artifacts: Artifact[] = [];
    const contents: IncludedContent[] = [];
    for (const include of obj.spec.include ?? []) {
      const name = include.repository.name;
      const other = this.#options.lookup(obj.metadata.namespace!, name) as
        (KubeObject & { status?: Status }) | undefined;
      const artifact = other?.status?.artifact;
      const stored = artifact ? await this.#options.store.get(artifact.path) : undefined;
      if (!artifact || !stored) {
        throw new ReconcileError(
          Reason.IncludeUnavailable,
          `included GitRepository '${name}' ${other ? "has no artifact yet" : "does not exist"}`,
          {
            conditionType: Cond.IncludeUnavailable,
          },
        );
      }
      const chunks: Buffer[] = [];
      for await (const chunk of stored.stream) chunks.push(chunk as Buffer);
      artifacts.push(artifact);
      contents.push({
        bytes: Buffer.concat(chunks),
        fromPath: include.fromPath,
        toPath: include.toPath ?? name,
      });
    }
    return { artifacts, contents };
  }
}

/** An explicit `reconcile.fluxcd.io/requestedAt` not handled yet: the user wants the remote's state now. */
function reconcileRequested(obj: GitRepository): boolean {
  const requested = obj.metadata.annotations?.[requestedAtAnnotation];
  return requested !== undefined && requested !== obj.status?.lastHandledReconcileAt;
}

function resolveWithReason(
  ref: GitRepository["spec"]["ref"],
  refs: Map<string, string>,
  url: string,
): ResolvedRef {
  try {
    return resolveRef(ref, refs, redact(url));
  } catch (err) {
    if (err instanceof RefNotFoundError) {
      throw new ReconcileError(Reason.GitOperationFailed, err.message, {
        conditionType: Cond.FetchFailed,
        cause: err,
      });
    }
    throw err;
  }
}
