/** ImageUpdateAutomation image.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import { Condition, int64, kindObject, ReconcileRequestStatus, Time } from "../../meta.ts";
import { ImageRef } from "../imagepolicy/common.ts";
import {
  API_VERSION_V1,
  CommitUser,
  MessageTemplate,
  SigningKey,
  GitCheckoutSpec,
  Interval,
  KIND,
  SourceReference,
  Suspend,
  UpdateStrategy,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

export { ImageRef };

export const LabelSelectorOperator = z
  .enum(["In", "NotIn", "Exists", "DoesNotExist"])
  .describe("How the key relates to the values: In, NotIn, Exists or DoesNotExist.");
export type LabelSelectorOperator = z.infer<typeof LabelSelectorOperator>;

/** metav1.LabelSelector. */
export const LabelSelector = z
  .object({
    matchLabels: z
      .record(z.string(), z.string())
      .exactOptional()
      .describe("Labels an object must carry, each an In requirement with one value; all must hold."),
    matchExpressions: z
      .array(
        z.object({
          key: z.string().describe("The label key the requirement applies to."),
          operator: LabelSelectorOperator,
          values: z
            .array(z.string())
            .meta({ "x-kubernetes-list-type": "atomic" })
            .exactOptional()
            .describe("The values for In and NotIn (not empty); empty for Exists and DoesNotExist."),
        }),
      )
      .meta({ "x-kubernetes-list-type": "atomic" })
      .exactOptional()
      .describe("Label requirements; all must hold."),
  })
  .meta({ "x-kubernetes-map-type": "atomic" });
export type LabelSelector = z.infer<typeof LabelSelector>;

export const CommitSpec = z
  .object({
    author: CommitUser,
    signingKey: SigningKey.exactOptional(),
    messageTemplate: MessageTemplate.exactOptional(),
    messageTemplateValues: z
      .record(z.string(), z.string())
      .exactOptional()
      .describe("Extra values the message template reads as .Values."),
  })
  .describe("How to commit the changes.");
export type CommitSpec = z.infer<typeof CommitSpec>;

export const PushSpec = z
  .object({
    branch: z
      .string()
      .describe(
        "Branch to push the commits to, created from the checked-out branch when it does not exist; the checked-out branch when empty.",
      )
      .exactOptional(),
    refspec: z
      .string()
      .describe(
        "Git refspec to push with, e.g. refs/heads/main:refs/heads/auto; with branch, the commit is pushed to both.",
      )
      .exactOptional(),
    options: z
      .record(z.string(), z.string())
      .exactOptional()
      .describe("Push options sent to the Git server (git push --push-option), e.g. merge_request.create."),
  })
  .describe("Where to push the commits; back to the checked-out branch when omitted.");
export type PushSpec = z.infer<typeof PushSpec>;

export const GitSpec = z
  .object({
    checkout: GitCheckoutSpec.exactOptional(),
    commit: CommitSpec,
    push: PushSpec.exactOptional(),
  })
  .describe("How to check out, commit and push; required, since nothing is written without it.");
export type GitSpec = z.infer<typeof GitSpec>;

/** Fields of the v1 spec; every older version's fields are among them. */
export const specShape = {
  sourceRef: SourceReference,
  git: GitSpec,
  interval: Interval,
  policySelector: LabelSelector.exactOptional().describe(
    "Which ImagePolicies of the namespace the automation applies; all of them when omitted.",
  ),
  update: UpdateStrategy,
  suspend: Suspend.exactOptional(),
};

export const ImageUpdateAutomationSpec = z
  .object(specShape)
  .describe(
    "Which Git repository to update with the images ImagePolicies chose, and how to commit and push.",
  );
export type ImageUpdateAutomationSpec = z.infer<typeof ImageUpdateAutomationSpec>;

export const statusShape = {
  lastAutomationRunTime: Time.exactOptional().describe(
    "When the automation last ran to completion, whether or not it made changes.",
  ),
  lastPushCommit: z.string().exactOptional().describe("The last commit the automation pushed (its SHA-1)."),
  lastPushTime: Time.exactOptional().describe("When the automation last pushed a change."),
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  conditions: z.array(Condition).exactOptional().describe("Conditions of the ImageUpdateAutomation."),
  ...ReconcileRequestStatus.shape,
  observedPolicies: z
    .record(z.string(), ImageRef)
    .exactOptional()
    .describe("The image each ImagePolicy the last run considered had chosen, by policy name."),
  observedSourceRevision: z
    .string()
    .exactOptional()
    .describe("The source revision the last run saw, e.g. main@sha1:<commit>."),
};

export const ImageUpdateAutomationStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the ImageUpdateAutomation.");
export type ImageUpdateAutomationStatus = z.infer<typeof ImageUpdateAutomationStatus>;

export const ImageUpdateAutomation = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
});
export type ImageUpdateAutomation = z.infer<typeof ImageUpdateAutomation>;
