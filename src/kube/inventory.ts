import { splitApiVersion, type KubeObject } from "./objects.ts";

/** One applied object in `status.inventory.entries`, in Flux's format. */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<kind>` (namespace empty for cluster-scoped objects) */
  id: string;
  /** the API version the object was applied with */
  v: string;
}

export interface ObjectId {
  namespace: string;
  name: string;
  group: string;
  kind: string;
  version: string;
}

export function objectId(obj: KubeObject): ObjectId {
  const { group, version } = splitApiVersion(obj.apiVersion);
  return {
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
    group,
    kind: obj.kind,
    version,
  };
}

export function entryOf(obj: KubeObject): InventoryEntry {
  const id = objectId(obj);
  return { id: `${id.namespace}_${id.name}_${id.group}_${id.kind}`, v: id.version };
}

/** Parses an entry back; names and namespaces cannot contain `_`, groups and kinds neither. */
export function parseEntry(entry: InventoryEntry): ObjectId | undefined {
  const parts = entry.id.split("_");
  if (parts.length !== 4) return undefined;
  const [namespace, name, group, kind] = parts as [string, string, string, string];
  return { namespace, name, group, kind, version: entry.v };
}

export function apiVersionOf(id: ObjectId): string {
  return id.group ? `${id.group}/${id.version}` : id.version;
}

/** A readable `Kind/namespace/name` for messages and events. */
export function describeId(id: ObjectId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}

/** Entries of `previous` that are not in `next` (what pruning would remove). */
export function staleEntries(
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
): InventoryEntry[] {
  const keep = new Set(next.map((e) => e.id));
  return previous.filter((e) => !keep.has(e.id));
}
