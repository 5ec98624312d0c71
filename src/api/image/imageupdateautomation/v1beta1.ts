/**
 * ImageUpdateAutomation image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): v1
 * without policySelector, messageTemplateValues, push.options, observedPolicies or
 * observedSourceRevision. Its message templates read .Updated, which Sluice still provides.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA1;

const GitSpec = v1.GitSpec.extend({
  commit: v1.CommitSpec.omit({ messageTemplateValues: true }),
  push: v1.PushSpec.omit({ options: true }).exactOptional(),
});

export const ImageUpdateAutomationSpec = v1.ImageUpdateAutomationSpec.omit({ policySelector: true }).extend({
  git: GitSpec,
});

export const ImageUpdateAutomationStatus = v1.ImageUpdateAutomationStatus.unwrap()
  .omit({ observedPolicies: true, observedSourceRevision: true })
  .default(() => ({ observedGeneration: -1 }));

export const ImageUpdateAutomation = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
});
export type ImageUpdateAutomation = z.infer<typeof ImageUpdateAutomation>;
