/** `sluice export <kind> [NAME | --all]`: the objects as clean YAML, ready to commit. */
import type { Command } from "commander";
import { objectName, usageError } from "../shared/flags.ts";
import {
  cliKinds,
  commandGroup,
  getObject,
  kindCommand,
  listObjects,
  type KindInfo,
} from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml } from "../shared/output.ts";
import { exportable } from "./clean.ts";

interface ExportFlags extends KubeFlags {
  all: boolean;
}

async function exportObjects(kind: KindInfo, name: string | undefined, flags: ExportFlags): Promise<void> {
  if ((name === undefined) === !flags.all)
    throw usageError(`name a ${kind.kind} or pass --all, not both and not neither`);
  await withCluster(flags, async (client) => {
    const objects =
      name === undefined
        ? await listObjects(client, kind, flags.namespace)
        : [await getObject(client, kind, objectName(kind.kind, name), flags.namespace)];
    objects.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    process.stdout.write(renderYaml(objects.map(exportable)));
  });
}

export function registerExportCommands(program: Command): void {
  const group = commandGroup(program, "export", "print Flux objects as YAML ready to commit");
  for (const kind of cliKinds) {
    addKubeFlags(
      kindCommand(group, "export", kind.words, kind)
        .description(`export ${kind.kind} objects`)
        .argument("[name]", `name of the ${kind.kind}`)
        .option("--all", `every ${kind.kind} of the namespace`, false),
    ).action((name: string | undefined, flags: ExportFlags) => exportObjects(kind, name, flags));
  }
}
