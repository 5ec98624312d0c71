/**
 * What the delivery object page lists of each kind beside its conditions: a source's URL and
 * revision, an image repository's latest tags, the tag a policy chose and the one before, an
 * automation's last push. Values are text; absent ones are left out.
 */
import type { DeliveryKind, DeliveryObject } from "./cd-objects.ts";

export interface Fact {
  label: string;
  value: string;
}

type Any = Record<string, unknown>;
const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
};
const ref = (r: unknown) => {
  const o = r as { kind?: string; name?: string; namespace?: string } | undefined;
  return o?.name
    ? `${o.kind ? `${o.kind} ` : ""}${o.namespace ? `${o.namespace}/` : ""}${o.name}`
    : undefined;
};
const image = (r: unknown) => {
  const o = r as { name?: string; tag?: string; digest?: string } | undefined;
  return o?.name ? `${o.name}:${o.tag ?? ""}${o.digest ? `@${o.digest}` : ""}` : undefined;
};

const byKind: Record<DeliveryKind, (spec: Any, status: Any) => [string, string | undefined][]> = {
  GitRepository: (spec, status) => [
    ["URL", text(spec["url"])],
    ["ref", text(spec["ref"])],
    ["interval", text(spec["interval"])],
    ["fetched at", text((status["artifact"] as Any | undefined)?.["lastUpdateTime"])],
  ],
  Kustomization: (spec, status) => [
    ["source", ref(spec["sourceRef"])],
    ["path", text(spec["path"])],
    ["prune", text(spec["prune"] ?? false)],
    ["last attempted", text(status["lastAttemptedRevision"])],
  ],
  ImageRepository: (spec, status) => {
    const scan = (status["lastScanResult"] ?? {}) as Any;
    return [
      ["image", text(spec["image"])],
      ["tags", text(scan["tagCount"])],
      ["latest tags", (scan["latestTags"] as string[] | undefined)?.join(", ")],
      ["scanned at", text(scan["scanTime"])],
    ];
  },
  ImagePolicy: (spec, status) => [
    ["repository", ref(spec["imageRepositoryRef"])],
    ["policy", text(spec["policy"])],
    ["filter", text(spec["filterTags"])],
    ["selected", image(status["latestRef"])],
    ["before it", image(status["observedPreviousRef"])],
  ],
  ImageUpdateAutomation: (spec, status) => [
    ["source", ref(spec["sourceRef"])],
    ["update path", text((spec["update"] as Any | undefined)?.["path"])],
    ["last push", text(status["lastPushCommit"])],
    ["pushed at", text(status["lastPushTime"])],
    [
      "policies",
      Object.entries((status["observedPolicies"] ?? {}) as Record<string, unknown>)
        .map(([name, chosen]) => `${name} → ${image(chosen) ?? "?"}`)
        .join(", ") || undefined,
    ],
  ],
};

export function factsOf(kind: DeliveryKind, obj: DeliveryObject): Fact[] {
  const pairs = byKind[kind](obj.spec ?? {}, obj.status ?? {});
  return pairs.flatMap(([label, value]) => (value === undefined ? [] : [{ label, value }]));
}
