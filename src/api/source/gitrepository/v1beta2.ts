/**
 * GitRepository source.toolkit.fluxcd.io/v1beta2 as Flux published it (deprecated in favour of v1):
 * v1 without provider, serviceAccountName, proxySecretRef and sparseCheckout, verifying `head`
 * only, with the deprecated fields the served schema keeps for it.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, AccessFromField, GitImplementation, KIND } from "./common.ts";
import { ServedGitRepositoryStatus } from "./served.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const GitRepositoryVerification = v1.GitRepositoryVerification.extend({
  mode: z.enum(["head"]).describe("Which Git object to verify; only 'head' in this version."),
});

export const GitRepositorySpec = z
  .object(v1.specShape)
  .omit({ provider: true, serviceAccountName: true, proxySecretRef: true, sparseCheckout: true })
  .extend({
    verify: GitRepositoryVerification.exactOptional(),
    // Flux defaulted this to go-git; Sluice leaves it unset so only a user's own setting is reported.
    gitImplementation: GitImplementation.exactOptional(),
    accessFrom: AccessFromField.exactOptional(),
  });

export const GitRepositoryStatus = ServedGitRepositoryStatus.unwrap()
  .omit({ observedSparseCheckout: true, sourceVerificationMode: true })
  .default(() => ({ observedGeneration: -1 }));

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;
