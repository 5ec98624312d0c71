import { GitFailureReason } from "../git-errors.ts";

/** Reasons of ImageUpdateAutomation conditions and events, as Flux's image-automation-controller names them. */
export const ImageUpdateAutomationReason = {
  ...GitFailureReason,
  InvalidCommitTemplate: "InvalidCommitTemplate",
  InvalidRefspec: "InvalidRefspec",
  InvalidSigningKey: "InvalidSigningKey",
  UpdateFailed: "UpdateFailed",
  MarkerSkipped: "MarkerSkipped",
  RolledBackByUser: "RolledBackByUser",
} as const;
