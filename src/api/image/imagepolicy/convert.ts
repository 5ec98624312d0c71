/**
 * Conversion of any served ImagePolicy version to v1, the version the controller works in, and the
 * `latestImage` strings older versions and tools read.
 */
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { ImageRef } from "./common.ts";
import type { ServedImagePolicy, ServedImagePolicyStatus } from "./served.ts";
import * as v1 from "./v1.ts";

export interface Converted {
  object: v1.ImagePolicy;
  /** Paths of deprecated fields the object carried, e.g. `status.latestImage`; report them once. */
  deprecated: string[];
}

/**
 * What objects of every served version have in common: anything the served schema accepts, before
 * or after its defaults. Every version's own type is assignable to it.
 */
export type Convertible = z.input<typeof ServedImagePolicy>;

/** An image reference as Flux's `status.latestImage` spelled it: `<name>:<tag>`, never a digest. */
export function latestImageOf(ref: ImageRef): string {
  return `${ref.name}:${ref.tag}`;
}

/** An image reference as Flux prints an ImageRef: `<name>:<tag>`, then `@<digest>` when known. */
export function imageRefString(ref: ImageRef): string {
  return ref.digest ? `${latestImageOf(ref)}@${ref.digest}` : latestImageOf(ref);
}

/**
 * The reference a `latestImage` string names: `<name>:<tag>`, optionally followed by `@<digest>`.
 * A colon before the last slash belongs to a registry port (`localhost:5000/app:1.0`). Undefined
 * when the string has no tag, which an ImageRef requires.
 */
export function parseImageRef(image: string): ImageRef | undefined {
  const at = image.indexOf("@");
  const named = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? "" : image.slice(at + 1);
  const colon = named.lastIndexOf(":");
  if (colon <= named.lastIndexOf("/")) return undefined;
  const name = named.slice(0, colon);
  const tag = named.slice(colon + 1);
  if (name === "" || tag === "") return undefined;
  return digest === "" ? { name, tag } : { name, tag, digest };
}

/**
 * The status Sluice writes: v1's, plus `latestImage` and `observedPreviousImage` derived from
 * `latestRef` and `observedPreviousRef` (and absent when they are), as Flux's last v1beta2
 * controller wrote them. Tools that read an older version (`flux get images policy` before Flux 2.6,
 * the v1beta1 printer column, generators reading `latestImage`) keep working; see ADR 0003.
 */
export function withLegacyImageFields(status: v1.ImagePolicyStatus): ServedImagePolicyStatus {
  return {
    ...status,
    ...(status.latestRef ? { latestImage: latestImageOf(status.latestRef) } : {}),
    ...(status.observedPreviousRef
      ? { observedPreviousImage: latestImageOf(status.observedPreviousRef) }
      : {}),
  };
}

/**
 * The v1 form of `obj`. `latestImage` and `observedPreviousImage` are dropped: when the matching
 * ref exists they are its mirror (reported only if they disagree with it, the ref winning); when it
 * does not, as in a status an older controller wrote, the ref is parsed from the string and the
 * string is reported. Throws InvalidObjectError when the result is not a valid v1 object.
 */
export function convertToV1(obj: Convertible): Converted {
  const deprecated = new Set<string>();
  const { latestImage, observedPreviousImage, latestRef, observedPreviousRef, ...status } = obj.status ?? {};
  const refs = {
    latestRef: fromLegacy(latestRef, latestImage, "status.latestImage", deprecated),
    observedPreviousRef: fromLegacy(
      observedPreviousRef,
      observedPreviousImage,
      "status.observedPreviousImage",
      deprecated,
    ),
  };
  const candidate = {
    apiVersion: v1.API_VERSION,
    kind: obj.kind,
    metadata: obj.metadata,
    spec: obj.spec,
    status: obj.status === undefined ? undefined : { ...status, ...withoutUndefined(refs) },
  };
  const object = parseOrThrow(v1.ImagePolicy, candidate, describeObject(obj, obj.kind));
  return { object, deprecated: [...deprecated] };
}

function fromLegacy(
  ref: ImageRef | undefined,
  image: string | undefined,
  path: string,
  deprecated: Set<string>,
): ImageRef | undefined {
  if (image === undefined) return ref;
  if (ref === undefined || latestImageOf(ref) !== image) deprecated.add(path);
  return ref ?? parseImageRef(image);
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
