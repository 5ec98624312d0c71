/**
 * `sluice resume alert|alert-provider NAME`: `spec.suspend: false` for the kinds without status
 * (Flux's v1beta3 Alert and Provider). Nothing reconciles them, so unlike index.ts's `resume`
 * there is no reconcile to request or wait for.
 */
import type { Command } from "commander";
import { objectName } from "../shared/flags.ts";
import { cliKinds, commandGroup, getObject, kindCommand, kindWords, type KindInfo } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";

async function resumeStatusless(kind: KindInfo, name: string, flags: KubeFlags): Promise<void> {
  objectName(kind.kind, name);
  const ns = flags.namespace;
  await withCluster(flags, async (client) => {
    await getObject(client, kind, name, ns);
    say.action(`resuming ${kindWords(kind)} ${name} in ${ns} namespace`);
    await client.patch(
      { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ns },
      { spec: { suspend: false } },
    );
    say.success(`${kindWords(kind)} resumed`);
  });
}

export function registerResumeStatuslessCommands(program: Command): void {
  const resume = commandGroup(program, "resume", "resume Flux objects");
  for (const kind of cliKinds.filter((k) => k.statusless)) {
    addKubeFlags(
      kindCommand(resume, "resume", kind.words, kind)
        .description(`send events through a suspended ${kind.kind} again (spec.suspend: false)`)
        .argument("<name>", `name of the ${kind.kind}`),
    ).action((name: string, flags: KubeFlags) => resumeStatusless(kind, name, flags));
  }
}
