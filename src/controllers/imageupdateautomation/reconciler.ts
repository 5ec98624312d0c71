import {
  applySettersToTree,
  type PolicyMap,
  type SetterOptions,
  type TreeResult,
} from "../../automation/setters.ts";
import { checkCommitTemplate, renderCommitMessage, templateData } from "../../automation/commit-template.ts";
import {
  parseImageUpdateAutomation,
  type ImageUpdateAutomation,
} from "../../api/image/imageupdateautomation/index.ts";
import { parseDuration } from "../../api/duration.ts";
import { withTransportAuth } from "../../git/transport-auth.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { markReady, Reason } from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import { readGitSecret } from "../git-credentials.ts";
import { classifyGitError } from "../git-errors.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { policyImages } from "./policies.ts";
import { findRollback, type Rollback } from "./rollback.ts";
import { withSigningKey } from "./signing.ts";
import type { AutomationClones, Clone, SigningKey } from "./workspace.ts";
import {
  fluxApiVersions,
  fluxV1WorkloadsAnnotation,
  requestedAtAnnotation,
  rollbacksAcknowledgedAnnotation,
} from "../../api/kinds.ts";
import { ImageUpdateAutomationReason } from "./reasons.ts";

export interface ImageUpdateAutomationReconcilerOptions {
  clones: AutomationClones;
  lookupSource: (namespace: string, name: string) => KubeObject | undefined;
  listPolicies: () => KubeObject[];
  /** end the default commit message with [ci skip] (default true) */
  ciSkip?: boolean;
}

type Status = ImageUpdateAutomation["status"];
type Source = KubeObject & {
  spec?: { url?: string; ref?: { branch?: string }; secretRef?: { name: string } };
};

/** The committer of every automation commit: how a person's commit is told apart from ours. */
export const automationCommitter = {
  name: "Sluice Image Automation",
  email: "image-automation@sluice.invalid",
};
const maxPushAttempts = 4;

interface Run {
  obj: ImageUpdateAutomation;
  policies: PolicyMap;
  checkout: string;
  push: string;
  signing: SigningKey | undefined;
}

/** Reconciles one ImageUpdateAutomation: rewrite marked fields to the policies' images, commit, push. */
export class ImageUpdateAutomationReconciler {
  readonly #options: ImageUpdateAutomationReconcilerOptions;
  readonly #flow = new Reconcile<ImageUpdateAutomation, Status>({
    kind: "ImageUpdateAutomation",
    apiVersion: fluxApiVersions.ImageUpdateAutomation,
    parse: parseImageUpdateAutomation,
    cleanup: async () => {},
    sync: (obj, status, ctx) => this.#sync(obj, status, ctx),
    classify: (err, obj) => {
      // git failures here are pushes as much as fetches: keep the reason, not the FetchFailed condition
      const e = classifyGitError(err, this.#sourceOf(obj)?.spec?.url ?? "", undefined);
      return new ReconcileError(e.reason, e.message, { stalled: e.stalled, cause: err });
    },
    // a rollback holds until the policy moves on: look again at every interval, not with backoff
    retryAfterMs: (failure, obj) =>
      failure.reason === ImageUpdateAutomationReason.RolledBackByUser ||
      failure.reason === Reason.DependencyNotReady
        ? intervalMs(obj)
        : undefined,
  });

  constructor(options: ImageUpdateAutomationReconcilerOptions) {
    this.#options = options;
  }

  reconcile = (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => this.#flow.run(raw, ctx);

  #sourceOf(obj: ImageUpdateAutomation): Source | undefined {
    const ref = obj.spec.sourceRef;
    return this.#options.lookupSource(ref.namespace ?? obj.metadata.namespace!, ref.name);
  }

  async #sync(obj: ImageUpdateAutomation, status: Status, ctx: ReconcileContext): Promise<void> {
    const ns = obj.metadata.namespace!;
    const source = this.#sourceOf(obj);
    if (!source?.spec?.url)
      throw new ReconcileError(
        Reason.DependencyNotReady,
        `GitRepository '${obj.spec.sourceRef.namespace ?? ns}/${obj.spec.sourceRef.name}' not found`,
      );
    const template = obj.spec.git?.commit.messageTemplate;
    const bad = template ? checkCommitTemplate(template) : undefined;
    if (bad)
      throw new ReconcileError(ImageUpdateAutomationReason.InvalidCommitTemplate, bad.message, {
        stalled: true,
      });
    const checkout = obj.spec.git?.checkout?.ref.branch ?? source.spec.ref?.branch ?? "master";
    const push = obj.spec.git?.push?.branch ?? checkout;
    const policies = policyImages(this.#options.listPolicies(), ns, obj.spec.policySelector);
    const secret = source.spec.secretRef
      ? await readGitSecret(ctx.client, source.metadata.namespace!, source.spec.secretRef.name)
      : undefined;
    const url = source.spec.url;
    await withTransportAuth(url, secret, (auth) =>
      withSigningKey(ctx.client, ns, obj.spec.git?.commit.signingKey?.secretRef.name, (signing) =>
        this.#options.clones.withClone(url, auth, ctx.signal, (clone) =>
          this.#runAutomation(clone, { obj, policies, checkout, push, signing }, status, ctx),
        ),
      ),
    );
    status.observedPolicies = Object.fromEntries(
      [...policies].map(([key, i]) => [
        key.split(":")[1]!,
        { name: i.name, tag: i.tag, ...(i.digest ? { digest: i.digest } : {}) },
      ]),
    );
    status.lastAutomationRunTime = now();
  }

  async #runAutomation(clone: Clone, run: Run, status: Status, ctx: ReconcileContext): Promise<void> {
    let refused: { base: string; refusal: string } | undefined;
    for (let attempt = 1; attempt <= maxPushAttempts; attempt++) {
      const head = await clone.resetTo(run.checkout, run.push);
      if (refused && refused.base === head.sha) {
        // the branch did not move: the server refuses the push itself (rights, a hook)
        throw new ReconcileError(
          ImageUpdateAutomationReason.GitOperationFailed,
          `push to branch '${run.push}' was refused: ${refused.refusal}`,
        );
      }
      status.observedSourceRevision = `${run.push}@sha1:${head.sha}`;
      const planned = await applySettersToTree(clone.dir, run.policies, {
        path: run.obj.spec.update?.path,
        dryRun: true,
        setters: setterOptions(run.obj),
      });
      this.#checkProblems(planned);
      await this.#reportSkipped(run.obj, planned, ctx);
      const rollback = await this.#rollbackIn(clone, run, planned);
      if (rollback) throw rolledBack(rollback, run.obj);
      if (planned.files.length === 0) {
        status.conditions = markReady(status.conditions, {
          reason: Reason.Succeeded,
          message: "repository up-to-date",
        });
        return;
      }
      const written = await applySettersToTree(clone.dir, run.policies, {
        path: run.obj.spec.update?.path,
        setters: setterOptions(run.obj),
      });
      const message = this.#message(run.obj, written);
      const who = { author: authorOf(run.obj), committer: automationCommitter };
      const sha = await clone.commit(
        written.files.map((f) => f.repoPath),
        message,
        who,
        run.signing,
      );
      const refspec = pushRefspec(run);
      const pushed = await clone.push(refspec);
      if (!pushed.pushed) {
        refused = { base: head.sha, refusal: pushed.refusal };
        continue; // someone pushed meanwhile: start again from their head
      }
      status.observedSourceRevision = `${run.push}@sha1:${sha}`;
      status.lastPushCommit = sha;
      status.lastPushTime = now();
      const text = `pushed commit '${sha.slice(0, 7)}' to branch '${run.push}'`;
      status.conditions = markReady(status.conditions, { reason: Reason.Succeeded, message: text });
      await ctx.events.event(run.obj, {
        type: "Normal",
        reason: Reason.Succeeded,
        message: `${text}\n${message}`,
        revision: `${run.push}@sha1:${sha}`,
      });
      await this.#askSourceToFetch(run.obj, ctx);
      return;
    }
    throw new ReconcileError(
      ImageUpdateAutomationReason.GitOperationFailed,
      `branch '${run.push}' kept moving during ${maxPushAttempts} attempts to push; will try again`,
    );
  }

  #checkProblems(planned: TreeResult): void {
    if (planned.problems.length) {
      const list = planned.problems.map((p) => `${p.file}: ${p.message}`).join("; ");
      throw new ReconcileError(
        ImageUpdateAutomationReason.UpdateFailed,
        `cannot update ${list}; the files are left untouched`,
      );
    }
  }

  /** Markers that name a missing or not-Ready policy, or are not valid, are left alone and reported. */
  async #reportSkipped(
    obj: ImageUpdateAutomation,
    planned: TreeResult,
    ctx: ReconcileContext,
  ): Promise<void> {
    if (planned.skipped.length === 0) return;
    const lines = planned.skipped.map((s) => `${s.file}:${s.line}: ${s.message}`);
    await ctx.events.event(obj, {
      type: "Warning",
      reason: ImageUpdateAutomationReason.MarkerSkipped,
      message: `markers left unchanged:\n${lines.join("\n")}`,
    });
  }

  async #rollbackIn(clone: Clone, run: Run, planned: TreeResult): Promise<Rollback | undefined> {
    const acknowledged = run.obj.metadata.annotations?.[rollbacksAcknowledgedAnnotation];
    const since = acknowledged ? new Date(acknowledged) : undefined;
    for (const file of planned.files) {
      for (const change of file.changes) {
        const found = await findRollback(
          clone,
          file.repoPath,
          change.policy,
          change.to,
          automationCommitter.email,
          since,
        );
        if (found) return found;
      }
    }
    return undefined;
  }

  #message(obj: ImageUpdateAutomation, written: TreeResult): string {
    const data = templateData({ namespace: obj.metadata.namespace!, name: obj.metadata.name! }, written, {
      values: obj.spec.git?.commit.messageTemplateValues,
    });
    return renderCommitMessage(obj.spec.git?.commit.messageTemplate, data, {
      ciSkip: this.#options.ciSkip ?? true,
    });
  }

  async #askSourceToFetch(obj: ImageUpdateAutomation, ctx: ReconcileContext): Promise<void> {
    const ref = obj.spec.sourceRef;
    // milliseconds: a request made in the same second as the last one must still change the
    // annotation, or the source never hears of the push
    const patch = { metadata: { annotations: { [requestedAtAnnotation]: new Date().toISOString() } } };
    await ctx.client
      .patch(
        {
          apiVersion: fluxApiVersions.GitRepository,
          kind: "GitRepository",
          name: ref.name,
          namespace: ref.namespace ?? obj.metadata.namespace!,
        },
        patch,
      )
      .catch(() => {}); // the next interval fetches it anyway
  }
}

/** The refspec to push: never a forced (`+src:dst`) or deleting (`:dst`) one. */
function pushRefspec(run: Run): string {
  const refspec = run.obj.spec.git?.push?.refspec ?? `HEAD:refs/heads/${run.push}`;
  if (refspec.startsWith("+") || refspec.startsWith(":")) {
    throw new ReconcileError(
      ImageUpdateAutomationReason.InvalidRefspec,
      `spec.git.push.refspec '${refspec}' would force or delete: remove the leading '+' or name a source`,
      { stalled: true },
    );
  }
  return refspec;
}

function rolledBack(r: Rollback, obj: ImageUpdateAutomation): ReconcileError {
  return new ReconcileError(
    ImageUpdateAutomationReason.RolledBackByUser,
    `policy '${r.policy}' selects ${r.image}, which commit ${r.commit.slice(0, 7)} by ${r.author} rolled back; holding until the policy selects a newer image or 'sluice resume image update ${obj.metadata.name}'`,
  );
}

/** Flux v1 workloads are set only for automations annotated so (the ones `sluice server --git-url` makes). */
function setterOptions(obj: ImageUpdateAutomation): SetterOptions {
  const v1 = obj.metadata.annotations?.[fluxV1WorkloadsAnnotation] === "true";
  return v1 ? { workloadPolicyNamespace: obj.metadata.namespace! } : {};
}

function authorOf(obj: ImageUpdateAutomation): { name: string; email: string } {
  const author = obj.spec.git?.commit.author;
  return { name: author?.name || "Sluice", email: author?.email ?? automationCommitter.email };
}

const intervalMs = (obj: ImageUpdateAutomation) => parseDuration(obj.spec.interval);

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
