/**
 * GitRepository source.toolkit.fluxcd.io/v1beta2 as Flux published it (deprecated in favour of v1):
 * the served schema without v1's provider, serviceAccountName, proxySecretRef, sparseCheckout,
 * observedSparseCheckout and sourceVerificationMode, verifying `head` only.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import { ServedGitRepositorySpec, ServedGitRepositoryStatus } from "./served.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const GitRepositoryVerification = v1.GitRepositoryVerification.extend({
  mode: z.enum(["head"]).describe("Which Git object to verify; only 'head' in this version."),
});

// Without serviceAccountName, the served spec's rule about it has nothing to check.
export const GitRepositorySpec = z
  .object(ServedGitRepositorySpec.shape)
  .omit({ provider: true, serviceAccountName: true, proxySecretRef: true, sparseCheckout: true })
  .extend({ verify: GitRepositoryVerification.exactOptional() });

export const GitRepositoryStatus = ServedGitRepositoryStatus.unwrap()
  .omit({ observedSparseCheckout: true, sourceVerificationMode: true })
  .default(() => ({ observedGeneration: -1 }));

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;
