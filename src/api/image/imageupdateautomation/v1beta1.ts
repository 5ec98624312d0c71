/**
 * ImageUpdateAutomation image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated):
 * no policySelector, messageTemplateValues, push.options, observedPolicies or
 * observedSourceRevision. Its message templates read .Updated, which Sluice still provides.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import {
  API_VERSION_V1BETA1,
  GitCheckoutSpec,
  Interval,
  KIND,
  PushBranch,
  PushRefspec,
  SourceReference,
  Suspend,
  UpdateStrategy,
  commitDescription,
  commitFields,
  gitDescription,
  pushDescription,
  statusBaseShape,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const CommitSpec = z.object(commitFields).describe(commitDescription);
export type CommitSpec = z.infer<typeof CommitSpec>;

export const PushSpec = z
  .object({ branch: PushBranch.exactOptional(), refspec: PushRefspec.exactOptional() })
  .describe(pushDescription);
export type PushSpec = z.infer<typeof PushSpec>;

export const GitSpec = z
  .object({
    checkout: GitCheckoutSpec.exactOptional(),
    commit: CommitSpec,
    push: PushSpec.exactOptional(),
  })
  .describe(gitDescription);
export type GitSpec = z.infer<typeof GitSpec>;

export const ImageUpdateAutomationSpec = z.object({
  sourceRef: SourceReference,
  git: GitSpec,
  interval: Interval,
  update: UpdateStrategy,
  suspend: Suspend.exactOptional(),
});
export type ImageUpdateAutomationSpec = z.infer<typeof ImageUpdateAutomationSpec>;

export const ImageUpdateAutomationStatus = z
  .object(statusBaseShape)
  .default(() => ({ observedGeneration: -1 }));
export type ImageUpdateAutomationStatus = z.infer<typeof ImageUpdateAutomationStatus>;

export const ImageUpdateAutomation = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
});
export type ImageUpdateAutomation = z.infer<typeof ImageUpdateAutomation>;
