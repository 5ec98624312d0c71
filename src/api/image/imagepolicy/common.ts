/** Parts of the ImagePolicy API that several versions share. */
import { z } from "zod";
import { Duration } from "../../meta.ts";
import { NamespacedObjectReference } from "../common.ts";

export {
  API_VERSION_V1,
  API_VERSION_V1BETA1,
  API_VERSION_V1BETA2,
  GROUP,
  SERVED_API_VERSIONS,
  type ServedApiVersion,
} from "../common.ts";

export const KIND = "ImagePolicy";

export const ImageRepositoryRef = NamespacedObjectReference.describe(
  "The ImageRepository whose scanned tags the policy chooses from; one in another namespace must allow this namespace in its accessFrom.",
);

const SortOrder = z.enum(["asc", "desc"]).default("asc");

export const SemVerPolicy = z
  .object({
    range: z
      .string()
      .describe("SemVer range (Masterminds syntax, e.g. '>=1.0.0' or '5.1.x'); the highest tag in it wins."),
  })
  .describe("Choose the highest tag that is a semantic version within a range.");
export type SemVerPolicy = z.infer<typeof SemVerPolicy>;

export const AlphabeticalPolicy = z
  .object({
    order: SortOrder.describe(
      "Sort order of the tags, 'asc' or 'desc': with the letters of the alphabet as tags, asc selects Z and desc selects A.",
    ),
  })
  .describe("Choose the last tag in alphabetical order.");
export type AlphabeticalPolicy = z.infer<typeof AlphabeticalPolicy>;

export const NumericalPolicy = z
  .object({
    order: SortOrder.describe(
      "Sort order of the tags, 'asc' or 'desc': with the numbers 0 to 9 as tags, asc selects 9 and desc selects 0.",
    ),
  })
  .describe("Choose the last tag in numerical order.");
export type NumericalPolicy = z.infer<typeof NumericalPolicy>;

export const TagFilter = z
  .object({
    pattern: z
      .string()
      .exactOptional()
      .describe(
        "Regular expression a tag must match to be considered, e.g. '^main-[a-f0-9]+-(?P<ts>[0-9]+)'.",
      ),
    extract: z
      .string()
      .exactOptional()
      .describe(
        "Template built from the pattern's capture groups (e.g. '$ts') whose value the policy orders instead of the whole tag.",
      ),
  })
  .describe("Which tags the policy considers; every tag when omitted.");
export type TagFilter = z.infer<typeof TagFilter>;

export const ImageRef = z
  .object({
    name: z.string().describe("The image's name, as the ImageRepository's spec.image spells it."),
    tag: z.string().describe("The image's tag."),
    digest: z
      .string()
      .exactOptional()
      .describe("The image's digest, when the digest reflection policy asks for it."),
  })
  .describe("A reference to an image by name, tag and optionally digest.");
export type ImageRef = z.infer<typeof ImageRef>;

export const ReflectionPolicy = z
  .enum(["Always", "IfNotPresent", "Never"])
  .describe(
    "When to record the chosen image's digest in status.latestRef.digest: Never; IfNotPresent (once per tag, kept while the tag stays); Always (refreshed every interval, for mutable tags).",
  );
export type ReflectionPolicy = z.infer<typeof ReflectionPolicy>;

export const DigestReflectionPolicy = ReflectionPolicy.default("Never");

export const Interval = Duration.describe(
  "How often the digest of the chosen tag is refreshed; only with digestReflectionPolicy Always, which requires it.",
);

export const LatestImage = z
  .string()
  .describe("The chosen image as '<name>:<tag>'; the form status.latestRef replaced.");

export const ObservedPreviousImage = z
  .string()
  .describe("The previously chosen image as '<name>:<tag>'; the form status.observedPreviousRef replaced.");
