/** ImagePolicy image.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import { Condition, int64, kindObject, ReconcileRequestStatus } from "../../meta.ts";
import {
  API_VERSION_V1,
  DigestReflectionPolicy,
  ImageRef,
  ImageRepositoryRef,
  Interval,
  KIND,
  TagFilter,
  AlphabeticalPolicy,
  NumericalPolicy,
  SemVerPolicy,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

const exactlyOnePolicyRule = {
  rule: "[has(self.semver), has(self.alphabetical), has(self.numerical)].exists_one(x, x)",
  message: "exactly one of semver, alphabetical or numerical must be set",
};

/**
 * The policy choice with Sluice's rule that exactly one policy is set: CEL for the API server, a
 * check for zod. Flux accepted none or several and then failed or used the first of semver,
 * alphabetical, numerical; see docs/adr/0003-api-versions-and-conversion.md.
 */
export const ImagePolicyChoice = z
  .object({
    semver: SemVerPolicy.exactOptional(),
    alphabetical: AlphabeticalPolicy.exactOptional(),
    numerical: NumericalPolicy.exactOptional(),
  })
  .describe("How to choose the latest image: exactly one of semver, alphabetical or numerical.")
  .meta({ "x-kubernetes-validations": [exactlyOnePolicyRule] })
  .refine(
    (choice) =>
      [choice.semver, choice.alphabetical, choice.numerical].filter((c) => c !== undefined).length === 1,
    { message: exactlyOnePolicyRule.message },
  );
export type ImagePolicyChoice = z.infer<typeof ImagePolicyChoice>;

/** Fields of the v1 spec; every older version's fields are among them. */
export const specShape = {
  imageRepositoryRef: ImageRepositoryRef,
  policy: ImagePolicyChoice,
  filterTags: TagFilter.exactOptional(),
  digestReflectionPolicy: DigestReflectionPolicy,
  interval: Interval.exactOptional(),
  suspend: z
    .boolean()
    .exactOptional()
    .describe("Stops reconciliation of this ImagePolicy while true; a running one finishes."),
};

const intervalOnlyWithAlways = {
  rule: "!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')",
  message: "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
};
const alwaysNeedsInterval = {
  rule: "has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'",
  message: "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
};

interface IntervalFields {
  digestReflectionPolicy?: string;
  interval?: string;
}

/** An object of `shape` with Flux's interval rules: CEL for the API server, checks for zod. */
export function specSchema<S extends Pick<typeof specShape, "digestReflectionPolicy" | "interval">>(
  shape: S,
  description: string,
) {
  const always = (spec: unknown) => (spec as IntervalFields).digestReflectionPolicy === "Always";
  const hasInterval = (spec: unknown) => (spec as IntervalFields).interval !== undefined;
  return z
    .object(shape)
    .describe(description)
    .meta({ "x-kubernetes-validations": [intervalOnlyWithAlways, alwaysNeedsInterval] })
    .refine((spec) => !hasInterval(spec) || always(spec), {
      message: intervalOnlyWithAlways.message,
      path: ["interval"],
    })
    .refine((spec) => hasInterval(spec) || !always(spec), {
      message: alwaysNeedsInterval.message,
      path: ["interval"],
    });
}

export const specDescription = "How to choose the latest image from the tags an ImageRepository scanned.";

export const ImagePolicySpec = specSchema(specShape, specDescription);
export type ImagePolicySpec = z.infer<typeof ImagePolicySpec>;

export const statusShape = {
  latestRef: ImageRef.exactOptional().describe(
    "The image the policy chose from the scanned tags, filtered and ordered as the spec says.",
  ),
  observedPreviousRef: ImageRef.exactOptional().describe(
    "The image chosen before latestRef; reset after a failure, so recovering is not reported as an update.",
  ),
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  conditions: z.array(Condition).exactOptional().describe("Conditions of the ImagePolicy."),
  ...ReconcileRequestStatus.shape,
};

export const ImagePolicyStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the ImagePolicy.");
export type ImagePolicyStatus = z.infer<typeof ImagePolicyStatus>;

export const ImagePolicy = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
});
export type ImagePolicy = z.infer<typeof ImagePolicy>;
