/**
 * Image policy markers ("setters"): YAML line comments such as
 *
 *     image: ghcr.io/org/app:1.0.0 # {"$imagepolicy": "flux-system:app"}
 *     tag: 1.0.0 # {"$imagepolicy": "flux-system:app:tag"}
 *
 * The comment, with its leading `#` characters removed, must be a JSON object whose values are all
 * strings and whose `$imagepolicy` member names `<namespace>:<policy>` and optionally a field
 * (`tag`, `name` or `digest`); this is the shorthand Flux reads. The namespace is required.
 */

/** The part of a policy's latest image a marker writes. */
export type SetterField = "image" | "tag" | "name" | "digest";

/** The latest image an ImagePolicy selected: repository name, tag and, when reflected, digest. */
export interface PolicyImage {
  /** Repository as the policy's ImageRepository names it, e.g. `ghcr.io/stefanprodan/podinfo`. */
  readonly name: string;
  readonly tag: string;
  /** `sha256:…`, present when the policy reflects digests. */
  readonly digest?: string | undefined;
}

/** Policies by `"<namespace>:<name>"`. */
export type PolicyMap = ReadonlyMap<string, PolicyImage>;

/** The JSON member that marks a setter. */
export const setterShortHand = "$imagepolicy";

/** A parsed marker. `setter` is the marker's value as written (`ns:name` or `ns:name:field`). */
export interface Marker {
  readonly setter: string;
  /** `"<namespace>:<name>"`, the key into a PolicyMap. */
  readonly policy: string;
  readonly field: SetterField;
}

/** A comment that mentions `$imagepolicy` but is not a usable marker. */
export interface InvalidMarker {
  readonly invalid: string;
  /** The marker's value when one could be read. */
  readonly setter: string;
}

const fieldNames: ReadonlySet<string> = new Set(["tag", "name", "digest"]);

/**
 * Reads a comment's source (starting with `#`). Returns undefined when it is not meant as a marker
 * at all, an InvalidMarker when it mentions `$imagepolicy` but cannot be used.
 */
export function parseMarkerComment(comment: string): Marker | InvalidMarker | undefined {
  if (!comment.includes(setterShortHand)) return undefined;
  const body = comment.replace(/^#+/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { invalid: "the comment is not a JSON object", setter: "" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { invalid: "the comment is not a JSON object", setter: "" };
  }
  const members = Object.entries(parsed);
  if (members.some(([, value]) => typeof value !== "string")) {
    return { invalid: "every value of the marker object must be a string", setter: "" };
  }
  const setter = (parsed as Record<string, string>)[setterShortHand];
  if (setter === undefined) return undefined;
  return parseSetter(setter);
}

/** Splits `ns:name[:field]`. */
export function parseSetter(setter: string): Marker | InvalidMarker {
  const parts = setter.split(":");
  const [namespace, name, field] = parts;
  if (parts.length > 3 || namespace === undefined || name === undefined || namespace === "" || name === "") {
    return {
      invalid: `"${setter}" is not of the form "<namespace>:<policy>" or "<namespace>:<policy>:<tag|name|digest>"`,
      setter,
    };
  }
  if (field !== undefined && !fieldNames.has(field)) {
    return { invalid: `unknown field "${field}" in "${setter}"; expected tag, name or digest`, setter };
  }
  return { setter, policy: `${namespace}:${name}`, field: (field ?? "image") as SetterField };
}

/** The full reference a plain marker writes: `name:tag`, `name:tag@digest`, or `name@digest`. */
export function imageReference(image: PolicyImage): string {
  const tag = image.tag === "" ? "" : `:${image.tag}`;
  const digest = image.digest === undefined || image.digest === "" ? "" : `@${image.digest}`;
  return `${image.name}${tag}${digest}`;
}

/** The value a marker's field takes for `image`, or undefined when the policy has no such value. */
export function fieldValue(image: PolicyImage, field: SetterField): string | undefined {
  switch (field) {
    case "image":
      return imageReference(image);
    case "name":
      return image.name;
    case "tag":
      return image.tag === "" ? undefined : image.tag;
    case "digest":
      return image.digest === undefined || image.digest === "" ? undefined : image.digest;
  }
}
