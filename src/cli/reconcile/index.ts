/**
 * `sluice reconcile source git|kustomization|image repository|image policy NAME [--with-source]`: request a reconcile now and
 * wait for its outcome; with --with-source the object's source first, through the same handshake.
 */
import type { Command } from "commander";
import type { KubeClient } from "../../kube/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { objectName } from "../shared/flags.ts";
import {
  describeRef,
  getObject,
  kindNamed,
  kindWords,
  registerKindVerb,
  withArticle,
  type KindInfo,
} from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";
import { awaitReconcileAndReport, requestReconcile, type Accept } from "../shared/wait.ts";

interface ReconcileFlags extends KubeFlags {
  withSource?: boolean;
}

/** The object, unless it is suspended: a suspended object is refused with a hint to resume it. */
async function getActive(client: KubeClient, kind: KindInfo, name: string, ns: string) {
  const obj = await getObject(client, kind, name, ns);
  if (obj.spec?.suspend) {
    throw new SluiceError(`${describeRef(kind, ns, name)} is suspended`, {
      hint: `resume it with 'sluice resume ${kindWords(kind)} ${name} -n ${ns}'`,
    });
  }
  return obj;
}

/** Annotates one object and waits for the outcome. */
async function reconcileOne(
  client: KubeClient,
  kind: KindInfo,
  name: string,
  ns: string,
  timeoutMs: number,
  accept?: Accept,
) {
  await getActive(client, kind, name, ns);
  say.action(`annotating ${kind.kind} ${name} in ${ns} namespace`);
  const requestedAt = await requestReconcile(client, kind, name, ns);
  say.success(`${kind.kind} annotated`);
  return awaitReconcileAndReport({ client, kind, name, namespace: ns, requestedAt, timeoutMs, accept });
}

/** Reconciles the source of `obj` and returns the revision it fetched. */
async function reconcileSource(client: KubeClient, kind: KindInfo, name: string, flags: KubeFlags) {
  const ref = kind.sourceOf!(await getActive(client, kind, name, flags.namespace));
  const sourceKind = kindNamed(ref.kind);
  if (!sourceKind) {
    throw new SluiceError(`--with-source: the CLI cannot reconcile ${ref.kind} sources yet`, {
      hint: `reconcile without --with-source`,
    });
  }
  const source = await reconcileOne(client, sourceKind, ref.name, ref.namespace, flags.timeout);
  return source.status?.artifact?.revision;
}

async function reconcile(kind: KindInfo, name: string, flags: ReconcileFlags): Promise<void> {
  objectName(kind.kind, name);
  await withCluster(flags, async (client) => {
    const revision = flags.withSource ? await reconcileSource(client, kind, name, flags) : undefined;
    // the source's new artifact also triggers a reconcile: wait until one applied it
    const applied: Accept | undefined = revision
      ? (obj) => obj.status?.lastAppliedRevision === revision
      : undefined;
    await reconcileOne(client, kind, name, flags.namespace, flags.timeout, applied);
  });
}

export function registerReconcileCommands(program: Command): void {
  registerKindVerb(
    program,
    "reconcile",
    (kind) => `reconcile ${withArticle(kind)} now and wait for the outcome`,
    (cmd, kind) => {
      addKubeFlags(cmd);
      if (kind.sourceOf) cmd.option("--with-source", `reconcile the ${kind.kind}'s source first`, false);
      cmd.action((name: string, flags: ReconcileFlags) => reconcile(kind, name, flags));
    },
  );
}
