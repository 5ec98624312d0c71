/**
 * The images of a Flux v1 HelmRelease (helm-operator's `HelmRelease`, and the older
 * `FluxHelmRelease`), found in `spec.values` where v1 looked for them: the chart's own image
 * (container `chart-image`) and the `image` of each top-level map (container: its key), each
 * written as one of
 *
 *     image: repo/app:1.0.0                  (the whole reference)
 *     image: repo/app
 *     tag: 1.0.0                             (name and tag beside each other)
 *     image: { repository: repo/app, tag: 1.0.0 }
 *
 * The `registry:` + `repository:` form is not recognised: the policy's name would have to be
 * split over two fields, which no setter does.
 */
import { isMap, isScalar, type Scalar, type YAMLMap } from "yaml";
import type { SetterField } from "./marker.ts";

export const helmReleaseKinds: ReadonlySet<string> = new Set(["HelmRelease", "FluxHelmRelease"]);
/** v1's name for the image at the top of the values. */
export const chartImage = "chart-image";

/** A scalar holding all or part of an image reference, and which part. */
export interface ImageField {
  readonly node: Scalar;
  readonly field: Extract<SetterField, "image" | "name" | "tag">;
}

export interface ValuesImage {
  readonly container: string;
  /** The reference as written, name and tag joined. */
  readonly image: string;
  readonly fields: readonly ImageField[];
}

const text = (node: unknown): string | undefined =>
  isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")
    ? String(node.value)
    : undefined;

function imageIn(map: YAMLMap, container: string): ValuesImage | undefined {
  const image = map.get("image", true);
  if (isScalar(image) && typeof image.value === "string") {
    const tag = map.get("tag", true);
    const tagText = text(tag);
    if (tagText === undefined)
      return { container, image: image.value, fields: [{ node: image, field: "image" }] };
    const fields: ImageField[] = [
      { node: image, field: "name" },
      { node: tag as Scalar, field: "tag" },
    ];
    return { container, image: `${image.value}:${tagText}`, fields };
  }
  if (!isMap(image) || image.has("registry")) return undefined;
  const repository = image.get("repository", true);
  const tag = image.get("tag", true);
  const [name, tagText] = [text(repository), text(tag)];
  if (name === undefined || tagText === undefined) return undefined;
  const fields: ImageField[] = [
    { node: repository as Scalar, field: "name" },
    { node: tag as Scalar, field: "tag" },
  ];
  return { container, image: `${name}:${tagText}`, fields };
}

/** The images of `values` (a HelmRelease's `spec.values` node), by v1's container names. */
export function valuesImages(values: unknown): ValuesImage[] {
  if (!isMap(values)) return [];
  const found: (ValuesImage | undefined)[] = [imageIn(values, chartImage)];
  for (const pair of values.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key === "string" && key !== "image" && isMap(pair.value)) found.push(imageIn(pair.value, key));
  }
  return found.filter((image): image is ValuesImage => image !== undefined);
}
