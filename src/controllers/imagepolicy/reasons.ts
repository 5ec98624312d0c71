/** Reasons of ImagePolicy conditions, as Flux's image-reflector-controller names them. */
export const ImagePolicyReason = {
  InvalidPolicy: "InvalidPolicy",
  AccessDenied: "AccessDenied",
} as const;
