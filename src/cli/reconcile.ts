/** `sluice reconcile source git NAME`: request a reconcile now and wait for its outcome. */
import type { Command } from "commander";
import { SluiceError } from "./errors.ts";
import { objectName } from "./flags.ts";
import { describeRef, getObject, kindWords, registerKindVerb, type KindInfo } from "./kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "./kube-flags.ts";
import { say } from "./output.ts";
import { awaitReconcileAndReport, requestReconcile } from "./wait.ts";

async function reconcile(kind: KindInfo, name: string, flags: KubeFlags): Promise<void> {
  objectName(kind.kind, name);
  const ns = flags.namespace;
  await withCluster(flags, async (client) => {
    const obj = await getObject(client, kind, name, ns);
    if (obj.spec?.suspend) {
      throw new SluiceError(`${describeRef(kind, ns, name)} is suspended`, {
        hint: `resume it with 'sluice resume ${kindWords(kind)} ${name} -n ${ns}'`,
      });
    }
    say.action(`annotating ${kind.kind} ${name} in ${ns} namespace`);
    const requestedAt = await requestReconcile(client, kind, name, ns);
    say.success(`${kind.kind} annotated`);
    await awaitReconcileAndReport(client, kind, name, ns, requestedAt, flags.timeout);
  });
}

export function registerReconcileCommands(program: Command): void {
  registerKindVerb(
    program,
    "reconcile",
    (kind) => `reconcile a ${kind.kind} now and wait for the outcome`,
    (cmd, kind) => addKubeFlags(cmd).action((name: string, flags: KubeFlags) => reconcile(kind, name, flags)),
  );
}
