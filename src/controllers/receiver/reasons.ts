/** Reasons of Receiver conditions, as Flux's notification-controller names them. */
export const ReceiverReason = {
  TokenNotFound: "TokenNotFound",
} as const;
