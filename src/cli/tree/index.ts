/** `sluice tree kustomization NAME`: the objects a Kustomization applied, nested Kustomizations expanded. */
import type { Command } from "commander";
import { ResourceInventory } from "../../api/kustomize/kustomization/index.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { describeId, parseEntry, type ObjectId } from "../../kube/inventory.ts";
import { splitApiVersion } from "../../kube/objects.ts";
import { objectName } from "../shared/flags.ts";
import {
  FluxObject,
  commandGroup,
  getObject,
  kindCommand,
  kustomizationKind as kind,
} from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";

interface Node {
  id: string;
  children: Node[];
}

const { group: ksGroup } = splitApiVersion(kind.apiVersion);

function inventoryOf(obj: FluxObject): ObjectId[] {
  const parsed = ResourceInventory.safeParse(obj.status?.["inventory"]);
  if (!parsed.success) return [];
  return parsed.data.entries.map(parseEntry).filter((id): id is ObjectId => id !== undefined);
}

/** The inventory of `obj`, recursing into Kustomizations it applied; `seen` guards against cycles. */
async function expand(client: KubeClient, obj: FluxObject, seen: Set<string>): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const id of inventoryOf(obj)) {
    const subject = describeId(id);
    const nested = id.group === ksGroup && id.kind === kind.kind && !seen.has(subject);
    if (!nested) {
      nodes.push({ id: subject, children: [] });
      continue;
    }
    seen.add(subject);
    const child = await client.get(kind.apiVersion, kind.kind, id.name, id.namespace).then(
      (o) => FluxObject.parse(o),
      (err: unknown) => {
        if (isNotFound(err)) return undefined; // deleted since: shown without children
        throw err;
      },
    );
    nodes.push({ id: subject, children: child ? await expand(client, child, seen) : [] });
  }
  return nodes;
}

/** `├── `/`└── ` lines, children indented under `│   ` as `tree` draws them. */
function render(nodes: Node[], indent = ""): string {
  return nodes
    .map((node, i) => {
      const last = i === nodes.length - 1;
      const line = `${indent}${last ? "└── " : "├── "}${node.id}\n`;
      return line + render(node.children, `${indent}${last ? "    " : "│   "}`);
    })
    .join("");
}

async function tree(name: string, flags: KubeFlags): Promise<void> {
  objectName(kind.kind, name);
  const output = await withCluster(flags, async (client) => {
    const root = await getObject(client, kind, name, flags.namespace);
    const subject = `${kind.kind}/${flags.namespace}/${name}`;
    return `${subject}\n${render(await expand(client, root, new Set([subject])))}`;
  });
  process.stdout.write(output);
}

export function registerTreeCommands(program: Command): void {
  const verb = commandGroup(program, "tree", "show the objects Flux objects reconcile, as a tree");
  addKubeFlags(
    kindCommand(verb, "tree", kind.words, kind)
      .description(
        "print the objects a Kustomization applied (its inventory), nested Kustomizations expanded",
      )
      .argument("<name>", "name of the Kustomization"),
  ).action(tree);
}
