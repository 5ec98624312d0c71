/**
 * Flux v1 image automation, without markers: a workload annotated
 *
 *     flux.weave.works/automated: "true"          (or fluxcd.io/automated)
 *     flux.weave.works/tag.<container>: semver:~1.0 | glob:1.* | regex:^v1   (or fluxcd.io/tag.<container>)
 *
 * has the `image` of each such container set to what one ImagePolicy selected (a HelmRelease:
 * the images of its values, helm-release-images.ts). The policy is
 * found by name, made from the workload and the container (`workloadPolicyName`), so the object
 * that generates the policies and the setter that writes them agree without a marker in the file.
 * `flux.weave.works/locked: "true"` (or fluxcd.io/locked) leaves the workload alone.
 */
import { createHash } from "node:crypto";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";
import { tagOrderAnnotation } from "../image/created-order.ts";
import { helmReleaseKinds, valuesImages, type ImageField, type ValuesImage } from "./helm-release-images.ts";

const prefixes = ["fluxcd.io/", "flux.weave.works/"] as const;

/** The v1 annotations of one workload, the `fluxcd.io/` spelling winning over `flux.weave.works/`. */
export interface WorkloadAutomation {
  readonly automated: boolean;
  readonly locked: boolean;
  /** Tag filters by container name, as written (`semver:~1.0`). */
  readonly tagFilters: ReadonlyMap<string, string>;
}

export function readWorkloadAutomation(annotations: Readonly<Record<string, string>>): WorkloadAutomation {
  const first = (key: string): string | undefined =>
    prefixes.map((p) => annotations[`${p}${key}`]).find((v) => v !== undefined);
  const tagFilters = new Map<string, string>();
  for (const prefix of [...prefixes].reverse()) {
    for (const [key, value] of Object.entries(annotations)) {
      if (key.startsWith(`${prefix}tag.`)) tagFilters.set(key.slice(prefix.length + 4), value);
    }
  }
  return { automated: first("automated") === "true", locked: first("locked") === "true", tagFilters };
}

/** What an ImagePolicy's spec says for a v1 tag filter. */
export interface PolicyFromFilter {
  readonly spec: {
    readonly policy: { semver: { range: string } } | { alphabetical: { order: "asc" } };
    readonly filterTags?: { pattern: string };
  };
  /** v1 ordered glob and regex matches by creation time: the ImagePolicy's annotation asks for it. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Bad `tag.<container>` annotations: the cause is named, nothing is generated for that container. */
export class TagFilterError extends Error {
  constructor(filter: string, detail: string) {
    super(`tag filter "${filter}": ${detail}; expected semver:<range>, glob:<pattern> or regex:<expression>`);
    this.name = "TagFilterError";
  }
}

/**
 * Maps a v1 tag filter onto an ImagePolicy. v1 ordered glob and regex matches by the images'
 * creation time, which ImagePolicy has no field for: the policy is alphabetical (what Flux v2
 * would do with it) and annotated so that Sluice orders by creation time (ADR 0024).
 */
export function policyForTagFilter(filter: string): PolicyFromFilter {
  const colon = filter.indexOf(":");
  const kind = colon < 0 ? "" : filter.slice(0, colon);
  const value = filter.slice(colon + 1);
  if (value === "") throw new TagFilterError(filter, "the pattern is empty");
  switch (kind) {
    case "semver":
      return { spec: { policy: { semver: { range: value } } } };
    case "glob":
      return byCreation(globPattern(value));
    case "regex":
      return byCreation(value);
    default:
      throw new TagFilterError(filter, "unknown kind");
  }
}

const byCreation = (pattern: string): PolicyFromFilter => ({
  spec: { policy: { alphabetical: { order: "asc" } }, filterTags: { pattern } },
  annotations: { [tagOrderAnnotation]: "created" },
});

/** A v1 glob (`*` any run, `?` one character) as an anchored Go regular expression. */
export function globPattern(glob: string): string {
  let out = "^";
  for (const ch of glob) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += /[\\.+()|[\]{}^$]/.test(ch) ? `\\${ch}` : ch;
  }
  return `${out}$`;
}

/** A workload as v1 named it: `<namespace>:<kind>/<name>`, namespace `default` when absent. */
export interface WorkloadId {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

export function workloadIdString(id: WorkloadId): string {
  return `${id.namespace}:${id.kind.toLowerCase()}/${id.name}`;
}

/** The ImagePolicy name for one container of one workload: readable, unique, at most 63 characters. */
export function workloadPolicyName(id: WorkloadId, container: string): string {
  const readable = `${id.namespace}-${id.kind}-${id.name}-${container}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const hash = createHash("sha256")
    .update(`${workloadIdString(id)}/${container}`)
    .digest("hex")
    .slice(0, 10);
  return `${readable.slice(0, 52).replace(/-+$/, "")}-${hash}`;
}

/** One container of an automated workload, with the scalars that hold its image. */
export interface AutomatedContainer {
  readonly workload: WorkloadId;
  readonly container: string;
  /** The tag filter as written. */
  readonly filter: string;
  /** The image as written, e.g. `registry/app:1.0.0`. */
  readonly image: string;
  /** A container's `image`; in a HelmRelease's values, maybe a name and a tag apart. */
  readonly fields: readonly ImageField[];
}

/** Where each kind keeps its pod spec. */
const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
  Deployment: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
  Pod: ["spec"],
};

/**
 * The containers of `doc` that v1 automation updates: those with a tag filter in an automated,
 * unlocked workload of a kind that has a pod spec.
 */
export function automatedContainers(doc: Document): AutomatedContainer[] {
  const kind = doc.get("kind");
  if (typeof kind !== "string" || !(kind in podSpecPaths || helmReleaseKinds.has(kind))) return [];
  const annotations = stringMap(doc.getIn(["metadata", "annotations"], true));
  const automation = readWorkloadAutomation(annotations);
  if (!automation.automated || automation.locked) return [];
  const name = doc.getIn(["metadata", "name"]);
  const namespace = doc.getIn(["metadata", "namespace"]);
  if (typeof name !== "string") return [];
  const workload = { kind, name, namespace: typeof namespace === "string" ? namespace : "default" };
  const images = helmReleaseKinds.has(kind)
    ? valuesImages(doc.getIn(["spec", "values"], true))
    : podImages(doc, kind);
  return images.flatMap((found) => {
    const filter = automation.tagFilters.get(found.container);
    return filter === undefined ? [] : [{ workload, filter, ...found }];
  });
}

/** The containers' images of a workload's pod spec. */
function podImages(doc: Document, kind: string): ValuesImage[] {
  const out: ValuesImage[] = [];
  for (const list of ["initContainers", "containers"]) {
    const containers = doc.getIn([...podSpecPaths[kind]!, list], true);
    if (!isSeq(containers)) continue;
    for (const item of containers.items) {
      if (!isMap(item)) continue;
      const container = item.get("name");
      const node = item.get("image", true);
      if (typeof container !== "string" || !isScalar(node) || typeof node.value !== "string") continue;
      out.push({ container, image: node.value, fields: [{ node, field: "image" }] });
    }
  }
  return out;
}

function stringMap(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (typeof key === "string" && typeof value === "string") out[key] = value;
  }
  return out;
}

/** The repository part of an image reference: `registry:5000/app:1.0@sha256:…` → `registry:5000/app`. */
export function imageRepository(image: string): string {
  const at = image.indexOf("@");
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Where a marker comment would replace a v1 annotation, for `sluice migrate flux-v1`. */
export interface MarkerSuggestion {
  /** 1-based line of the container's image */
  readonly line: number;
  readonly image: string;
  /** `<ns>:<policy>` */
  readonly policy: string;
  /** the comment to put after the image: `# {"$imagepolicy": "<ns>:<policy>"}` */
  readonly comment: string;
}

export function markerSuggestions(text: string, policyNamespace: string): MarkerSuggestion[] {
  const lines = new LineCounter();
  const out: MarkerSuggestion[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    if (!("errors" in doc) || doc.errors.length) continue;
    for (const c of automatedContainers(doc)) {
      const policy = `${policyNamespace}:${workloadPolicyName(c.workload, c.container)}`;
      for (const { node, field } of c.fields) {
        const setter = field === "image" ? policy : `${policy}:${field}`;
        out.push({
          line: lines.linePos(node.range?.[0] ?? 0).line,
          image: c.image,
          policy,
          comment: `# ${JSON.stringify({ $imagepolicy: setter }).replace(":", ": ")}`,
        });
      }
    }
  }
  return out;
}
