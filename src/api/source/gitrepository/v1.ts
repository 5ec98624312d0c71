/** GitRepository source.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import {
  Artifact,
  Condition,
  Duration,
  int64,
  kindObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "../../meta.ts";
import {
  API_VERSION_V1,
  GitUrl,
  Ignore,
  Include,
  KIND,
  RecurseSubmodules,
  SecretRef,
  Suspend,
  Timeout,
  GitRepositoryInclude,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

export const GitVerificationMode = z
  .enum(["head", "HEAD", "Tag", "TagAndHEAD"])
  .describe("Which Git objects to verify: HEAD (or its older spelling head), Tag, or TagAndHEAD.");
export type GitVerificationMode = z.infer<typeof GitVerificationMode>;

export const GitProvider = z
  .enum(["generic", "aws", "azure", "github"])
  .describe(
    "How to authenticate: 'generic' uses secretRef; 'aws', 'azure' and 'github' use the provider's identity.",
  );
export type GitProvider = z.infer<typeof GitProvider>;

export const GitRepositoryRef = z
  .object({
    branch: z.string().exactOptional().describe("Branch to check out; 'master' when no other field is set."),
    tag: z.string().exactOptional().describe("Tag to check out; takes precedence over branch."),
    semver: z
      .string()
      .exactOptional()
      .describe("SemVer range of tags to pick the newest from; takes precedence over tag."),
    commit: z
      .string()
      .exactOptional()
      .describe(
        "Commit SHA to check out; takes precedence over every other field and may be combined with branch.",
      ),
    name: z
      .string()
      .exactOptional()
      .describe(
        "Full Git reference to check out, e.g. refs/heads/main or refs/pull/420/head; takes precedence over branch, tag and semver.",
      ),
  })
  .describe("The Git reference to resolve and watch; the 'master' branch when omitted.");
export type GitRepositoryRef = z.infer<typeof GitRepositoryRef>;

export const GitRepositoryVerification = z
  .object({
    mode: GitVerificationMode.default("HEAD"),
    secretRef: LocalObjectReference.describe(
      "Secret with the public keys of trusted authors: PGP keys under keys ending in .asc, SSH keys under .sshpub.",
    ),
  })
  .describe("Verification of Git commit or tag signatures.");
export type GitRepositoryVerification = z.infer<typeof GitRepositoryVerification>;

/** Fields of the v1 spec; the served schema adds the deprecated fields of older versions. */
export const specShape = {
  url: GitUrl,
  secretRef: SecretRef.exactOptional(),
  provider: GitProvider.exactOptional(),
  serviceAccountName: z
    .string()
    .exactOptional()
    .describe(
      "ServiceAccount whose identity authenticates to the repository; only with provider 'azure' or 'aws'.",
    ),
  interval: Duration.describe(
    "How often the repository is checked for changes (approximate, may be jittered).",
  ),
  timeout: Timeout,
  ref: GitRepositoryRef.exactOptional(),
  verify: GitRepositoryVerification.exactOptional(),
  proxySecretRef: LocalObjectReference.exactOptional().describe(
    "Secret with the proxy to use: 'address', and optionally 'username' and 'password'.",
  ),
  ignore: Ignore,
  suspend: Suspend,
  recurseSubmodules: RecurseSubmodules,
  include: Include,
  sparseCheckout: z
    .array(z.string())
    .exactOptional()
    .describe("Directories to check out; when set, only they are in the artifact."),
};

const serviceAccountRule = {
  rule: "!has(self.serviceAccountName) || (has(self.provider) && self.provider in ['azure', 'aws'])",
  message: "serviceAccountName can only be set when provider is 'azure' or 'aws'",
};

/** An object of `shape` with the provider/serviceAccountName rule: CEL for the API server, a check for zod. */
export function specSchema<S extends typeof specShape>(shape: S, description: string) {
  return z
    .object(shape)
    .describe(description)
    .meta({ "x-kubernetes-validations": [serviceAccountRule] })
    .refine(
      (spec) => {
        const { provider, serviceAccountName } = spec as { provider?: string; serviceAccountName?: string };
        return serviceAccountName === undefined || provider === "azure" || provider === "aws";
      },
      { message: serviceAccountRule.message, path: ["serviceAccountName"] },
    );
}

export const GitRepositorySpec = specSchema(
  specShape,
  "Configuration to produce an artifact from a Git repository.",
);
export type GitRepositorySpec = z.infer<typeof GitRepositorySpec>;

export const statusShape = {
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  conditions: z.array(Condition).exactOptional().describe("Conditions of the GitRepository."),
  artifact: Artifact.exactOptional().describe("The artifact of the last successful reconciliation."),
  includedArtifacts: z
    .array(Artifact)
    .exactOptional()
    .describe("The artifacts last included as the spec's include list asked."),
  observedIgnore: z
    .string()
    .exactOptional()
    .describe("The ignore rules the current artifact was built with."),
  observedRecurseSubmodules: z
    .boolean()
    .exactOptional()
    .describe("The recurseSubmodules setting the current artifact was built with."),
  observedInclude: z
    .array(GitRepositoryInclude)
    .exactOptional()
    .describe("The include list the current artifact was built with."),
  observedSparseCheckout: z
    .array(z.string())
    .exactOptional()
    .describe("The sparse checkout directories the current artifact was built with."),
  sourceVerificationMode: GitVerificationMode.exactOptional().describe(
    "The verification mode last used, i.e. which Git objects were verified.",
  ),
  ...ReconcileRequestStatus.shape,
};

export const GitRepositoryStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the GitRepository.");
export type GitRepositoryStatus = z.infer<typeof GitRepositoryStatus>;

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;
