/** `sluice stats`' numbers: per kind, how many reconcile, fail, are suspended, and the artifacts' size. */
import { readiness, type FluxObject } from "../shared/kinds.ts";

export interface KindStats {
  kind: string;
  running: number;
  failing: number;
  suspended: number;
  /** bytes of the objects' artifacts; undefined for kinds without artifacts */
  storage: number | undefined;
}

type Artifacted = { artifact?: { size?: number } };

export function kindStats(kind: string, objects: readonly FluxObject[]): KindStats {
  let running = 0;
  let failing = 0;
  let suspended = 0;
  let storage: number | undefined;
  for (const obj of objects) {
    if ((obj.spec as { suspend?: boolean } | undefined)?.suspend === true) suspended++;
    else running++;
    if (readiness(obj).ready === "False") failing++;
    const size = (obj.status as Artifacted | undefined)?.artifact?.size;
    if (typeof size === "number") storage = (storage ?? 0) + size;
  }
  return { kind, running, failing, suspended, storage };
}

/** `12.3 KiB`, as flux stats prints sizes; `-` for none. */
export function humanBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
