/**
 * Provider notification.toolkit.fluxcd.io/v1beta3: the version Sluice's controllers work in. A
 * static object: Flux's v1beta3 has no status, and nothing reconciles a Provider.
 */
import { z } from "zod";
import { kindObject, LocalObjectReference } from "../../meta.ts";
import {
  API_VERSION_V1BETA3,
  COMMIT_STATUS_TYPES,
  Interval,
  KIND,
  Proxy,
  ProviderType,
  legacySpecShape,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA3;

const commitStatusRule = {
  rule: `${COMMIT_STATUS_TYPES.map((t) => `self.type == '${t}'`).join(" || ")} || !has(self.commitStatusExpr)`,
  message: `spec.commitStatusExpr is only supported for the ${COMMIT_STATUS_TYPES.map((t) => `'${t}'`).join(", ")} provider types`,
};

/** Fields of the v1beta3 spec; every older version's fields are among them. */
export const specShape = {
  ...legacySpecShape,
  type: ProviderType,
  interval: Interval.meta({ deprecated: true })
    .exactOptional()
    .describe("Deprecated: how often the Provider was reconciled; not used since v1beta3."),
  proxy: Proxy.meta({ deprecated: true })
    .exactOptional()
    .describe("Deprecated: HTTP/S address of the proxy server; use proxySecretRef."),
  proxySecretRef: LocalObjectReference.exactOptional().describe(
    "The Secret holding the proxy: 'address', and optionally 'username' and 'password'.",
  ),
  serviceAccountName: z
    .string()
    .exactOptional()
    .describe(
      "ServiceAccount whose workload identity authenticates to the cloud (azureeventhub, azuredevops, googlepubsub).",
    ),
  commitStatusExpr: z
    .string()
    .exactOptional()
    .describe(
      "CEL expression giving the commit status text for git providers; variables event, provider and alert.",
    ),
};

const isCommitStatusType = (type: string) => (COMMIT_STATUS_TYPES as readonly string[]).includes(type);

export const ProviderSpec = z
  .object(specShape)
  .describe("Where and how events are sent.")
  .meta({ "x-kubernetes-validations": [commitStatusRule] })
  .refine((spec) => spec.commitStatusExpr === undefined || isCommitStatusType(spec.type), {
    message: commitStatusRule.message,
    path: ["commitStatusExpr"],
  });
export type ProviderSpec = z.infer<typeof ProviderSpec>;

export const Provider = kindObject(z.literal(API_VERSION), KIND, {
  spec: ProviderSpec,
});
export type Provider = z.infer<typeof Provider>;
