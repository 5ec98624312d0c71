/**
 * `sluice suspend|resume <kind> NAME` (every kind of shared/kinds.ts): stop reconciling, or start again and
 * wait for the outcome; `resume` also sets the annotations of the kind's `resume` hook (ImageUpdateAutomation:
 * rollbacks acknowledged).
 */
import type { Command } from "commander";
import { objectName } from "../shared/flags.ts";
import { getObject, kindWords, registerKindVerb, withArticle, type KindInfo } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";
import { awaitReconcileAndReport, requestReconcile } from "../shared/wait.ts";
import { registerResumeStatuslessCommands } from "./resume-statusless.ts";

async function suspend(kind: KindInfo, name: string, flags: KubeFlags): Promise<void> {
  objectName(kind.kind, name);
  const ns = flags.namespace;
  await withCluster(flags, async (client) => {
    await getObject(client, kind, name, ns);
    say.action(`suspending ${kindWords(kind)} ${name} in ${ns} namespace`);
    await client.patch(
      { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ns },
      { spec: { suspend: true } },
    );
    say.success(`${kindWords(kind)} suspended`);
  });
}

async function resume(kind: KindInfo, name: string, flags: KubeFlags): Promise<void> {
  objectName(kind.kind, name);
  const ns = flags.namespace;
  await withCluster(flags, async (client) => {
    await getObject(client, kind, name, ns);
    say.action(`resuming ${kindWords(kind)} ${name} in ${ns} namespace`);
    const requestedAt = await requestReconcile(
      client,
      kind,
      name,
      ns,
      { spec: { suspend: false } },
      kind.resume?.annotations,
    );
    say.success(`${kindWords(kind)} resumed`);
    await awaitReconcileAndReport({
      client,
      kind,
      name,
      namespace: ns,
      requestedAt,
      timeoutMs: flags.timeout,
    });
  });
}

export function registerSuspendResumeCommands(program: Command): void {
  registerKindVerb(
    program,
    "suspend",
    (kind) => `stop reconciling ${withArticle(kind)} (spec.suspend: true)`,
    (cmd, kind) => addKubeFlags(cmd).action((name: string, flags: KubeFlags) => suspend(kind, name, flags)),
  );
  registerKindVerb(
    program,
    "resume",
    (kind) =>
      `reconcile a suspended ${kind.kind} again${kind.resume ? ` (${kind.resume.what})` : ""} and wait for the outcome`,
    (cmd, kind) => addKubeFlags(cmd).action((name: string, flags: KubeFlags) => resume(kind, name, flags)),
  );
  registerResumeStatuslessCommands(program);
}
