/** Parts of the ImageUpdateAutomation API that several versions share. */
import { z } from "zod";
import { Duration, LocalObjectReference } from "../../meta.ts";
import { GitRepositoryRef } from "../../source/gitrepository/v1.ts";
import { CRD_LABELS as IMAGE_CRD_LABELS } from "../common.ts";

export {
  API_VERSION_V1,
  API_VERSION_V1BETA1,
  API_VERSION_V1BETA2,
  CRD_CATEGORIES,
  GROUP,
  SERVED_API_VERSIONS,
  type ServedApiVersion,
} from "../common.ts";

export const KIND = "ImageUpdateAutomation";

/** The image automation controller serves this kind, not the image reflector controller. */
export const CRD_LABELS = {
  ...IMAGE_CRD_LABELS,
  "app.kubernetes.io/component": "image-automation-controller",
} as const;

/** The only update strategy Flux defines: rewrite fields marked with `# {"$imagepolicy": ...}`. */
export const UPDATE_STRATEGY_SETTERS = "Setters" as const;

export const SourceReference = z
  .object({
    apiVersion: z.string().exactOptional().describe("API version of the referent."),
    kind: z.enum(["GitRepository"]).default("GitRepository").describe("Kind of the referent."),
    name: z.string().describe("Name of the referent."),
    namespace: z
      .string()
      .exactOptional()
      .describe("Namespace of the referent; the ImageUpdateAutomation's namespace when empty."),
  })
  .describe("The GitRepository whose URL and credentials the automation clones and pushes with.");
export type SourceReference = z.infer<typeof SourceReference>;

export const Interval = Duration.describe(
  "Lower bound for how often the automation runs (approximate, may be jittered).",
);

export const Suspend = z
  .boolean()
  .describe("Stops running the automation while true; a run already started finishes.");

export const GitCheckoutSpec = z
  .object({
    ref: GitRepositoryRef.describe(
      "Branch, tag, SemVer range, reference name or commit to clone and make the changes on.",
    ),
  })
  .describe("What to check out; the GitRepository's own spec.ref (or its default) when omitted.");
export type GitCheckoutSpec = z.infer<typeof GitCheckoutSpec>;

export const CommitUser = z
  .object({
    name: z.string().exactOptional().describe("Name of the commit author."),
    email: z.string().describe("Email address of the commit author."),
  })
  .describe("The author of the commits the automation makes.");
export type CommitUser = z.infer<typeof CommitUser>;

export const SigningKey = z
  .object({
    secretRef: LocalObjectReference.describe(
      "Secret in the automation's namespace whose 'git.asc' key holds an ASCII-armored OpenPGP key pair, and optionally 'passphrase'.",
    ),
  })
  .describe("Signs the automation's commits with an OpenPGP key.");
export type SigningKey = z.infer<typeof SigningKey>;

export const MessageTemplate = z
  .string()
  .describe(
    "Go template of the commit message, given .AutomationObject, .Changed, .Updated (kept for older templates) and .Values; a default message when empty.",
  );

export const UpdateStrategyName = z
  .enum([UPDATE_STRATEGY_SETTERS])
  .describe("How files are updated: 'Setters' rewrites the fields marked with an image policy comment.");
export type UpdateStrategyName = z.infer<typeof UpdateStrategyName>;

export const UpdateStrategy = z
  .object({
    strategy: UpdateStrategyName.default(UPDATE_STRATEGY_SETTERS),
    path: z
      .string()
      .exactOptional()
      .describe(
        "Directory of the manifests to update, relative to the repository root; the root when empty.",
      ),
  })
  .default(() => ({ strategy: UPDATE_STRATEGY_SETTERS }))
  .describe(
    "How to update the files in the repository; the Setters strategy on the whole repository when omitted.",
  );
export type UpdateStrategy = z.infer<typeof UpdateStrategy>;
