/** `sluice delete <kind> NAME` (every kind of kinds.ts): delete after confirmation (the server garbage-collects its artifacts). */
import type { Command } from "commander";
import { objectName } from "../shared/flags.ts";
import { getObject, kindWords, registerKindVerb, withArticle, type KindInfo } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";
import { confirm } from "../shared/prompt.ts";

interface DeleteFlags extends KubeFlags {
  silent: boolean;
}

async function deleteObject(kind: KindInfo, name: string, flags: DeleteFlags): Promise<void> {
  objectName(kind.kind, name);
  const ns = flags.namespace;
  await withCluster(flags, async (client) => {
    await getObject(client, kind, name, ns);
    await confirm(`Are you sure you want to delete ${kindWords(kind)} ${ns}/${name}?`, flags.silent);
    say.action(`deleting ${kindWords(kind)} ${name} in ${ns} namespace`);
    await client.delete(kind.apiVersion, kind.kind, name, ns);
    say.success(`${kindWords(kind)} deleted`);
  });
}

export function registerDeleteCommands(program: Command): void {
  registerKindVerb(
    program,
    "delete",
    (kind) => `delete ${withArticle(kind)}`,
    (cmd, kind) =>
      addKubeFlags(cmd)
        .option("-s, --silent", "do not ask for confirmation", false)
        .action((name: string, flags: DeleteFlags) => deleteObject(kind, name, flags)),
  );
}
