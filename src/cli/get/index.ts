/**
 * `sluice get sources git|all`, `sluice get kustomizations`, `sluice get images repository|policy|all`,
 * `sluice get all`: Flux's status tables.
 */
import type { Command } from "commander";
import type { KubeClient } from "../../kube/client.ts";
import { objectName } from "../shared/flags.ts";
import {
  cliKinds,
  commandGroup,
  getObject,
  isServed,
  kindCommand,
  kindGroups,
  listObjects,
  readiness,
  type FluxObject,
  type KindInfo,
} from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type ListFlags } from "../shared/kube-flags.ts";
import { renderTable, say } from "../shared/output.ts";

interface GetFlags extends ListFlags {
  header: boolean;
}

function row(kind: KindInfo, obj: FluxObject, withNamespace: boolean, prefix: string): string[] {
  const { ready, message } = readiness(obj);
  const cells = [
    `${prefix}${obj.metadata.name}`,
    ...kind.columns.map((column) => column.cell(obj)),
    ready,
    message.replace(/\s+/g, " "),
  ];
  return withNamespace ? [obj.metadata.namespace ?? "", ...cells] : cells;
}

async function fetch(
  client: KubeClient,
  kind: KindInfo,
  name: string | undefined,
  flags: GetFlags,
): Promise<FluxObject[]> {
  if (name !== undefined) objectName(kind.kind, name);
  if (name !== undefined && !flags.allNamespaces)
    return [await getObject(client, kind, name, flags.namespace)];
  const items = await listObjects(client, kind, flags.allNamespaces ? undefined : flags.namespace);
  return items
    .filter((o) => name === undefined || o.metadata.name === name)
    .sort((a, b) =>
      `${a.metadata.namespace ?? ""}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ""}/${b.metadata.name}`,
      ),
    );
}

function table(kind: KindInfo, items: FluxObject[], flags: GetFlags, prefix = ""): string {
  const headers = ["NAME", ...kind.columns.map((c) => c.header), "READY", "MESSAGE"];
  const withNamespace = flags.allNamespaces;
  return renderTable(
    withNamespace ? ["NAMESPACE", ...headers] : headers,
    items.map((o) => row(kind, o, withNamespace, prefix)),
    !flags.header,
  );
}

const where = (flags: GetFlags) => (flags.allNamespaces ? "any namespace" : `"${flags.namespace}" namespace`);

async function getKind(kind: KindInfo, name: string | undefined, flags: GetFlags): Promise<void> {
  await withCluster(flags, async (client) => {
    const items = await fetch(client, kind, name, flags);
    if (items.length === 0) say.failure(`no ${kind.kind} objects found in ${where(flags)}`);
    else process.stdout.write(table(kind, items, flags));
  });
}

/** One table per kind, names prefixed with the kind (`gitrepository/podinfo`); `what` names them when there are none. */
async function getAll(kinds: readonly KindInfo[], what: string, flags: GetFlags): Promise<void> {
  await withCluster(flags, async (client) => {
    const tables: string[] = [];
    for (const kind of kinds) {
      if (!(await isServed(client, kind))) continue; // a kind whose CRD is not installed has no objects
      const items = await fetch(client, kind, undefined, flags);
      if (items.length) tables.push(table(kind, items, flags, `${kind.kind.toLowerCase()}/`));
    }
    if (tables.length === 0) say.failure(`no ${what} objects found in ${where(flags)}`);
    else process.stdout.write(tables.join("\n"));
  });
}

function withGetFlags(cmd: Command): Command {
  return addKubeFlags(cmd, { allNamespaces: true }).option("--no-header", "leave out the header row");
}

export function registerGetCommands(program: Command): void {
  const get = commandGroup(program, "get", "show the status of Flux objects");
  const groups = kindGroups.map((group) => ({
    group,
    cmd: commandGroup(get, group.word, `show the status of ${group.word}`, group.alias),
  }));
  for (const kind of cliKinds) {
    const cmd = kindCommand(get, "get", kind.listWords, kind);
    const singular = kind.words[kind.words.length - 1]!;
    if (singular !== cmd.name()) cmd.alias(singular); // `get kustomization` as well as `get kustomizations`
    withGetFlags(
      cmd
        .description(`show the status of ${kind.kind} objects`)
        .argument("[name]", `name of one ${kind.kind}`),
    ).action((name: string | undefined, flags: GetFlags) => getKind(kind, name, flags));
  }
  for (const { group, cmd } of groups) {
    withGetFlags(cmd.command("all").description(`show the status of every ${group.noun} kind`)).action(
      (flags: GetFlags) => getAll(group.kinds, group.noun, flags),
    );
  }
  withGetFlags(get.command("all").description("show the status of every kind the CLI knows")).action(
    (flags: GetFlags) => getAll(cliKinds, "Flux", flags),
  );
}
