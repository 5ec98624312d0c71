/** ImageRepository image.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import {
  Condition,
  Duration,
  int64,
  kindObject,
  LocalObjectReference,
  ReconcileRequestStatus,
  Time,
  TimeoutDuration,
} from "../../meta.ts";
import {
  API_VERSION_V1,
  AccessFromField,
  CertSecretRef,
  DEFAULT_EXCLUSION_LIST,
  Image,
  KIND,
  SecretRef,
  ServiceAccountName,
  Suspend,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

export const ImageRepositoryProvider = z
  .enum(["generic", "aws", "azure", "gcp"])
  .describe(
    "How to authenticate: 'generic' uses secretRef or the ServiceAccount's pull secrets; 'aws', 'azure' and 'gcp' use the cloud provider's identity.",
  );
export type ImageRepositoryProvider = z.infer<typeof ImageRepositoryProvider>;

export const ScanResult = z
  .object({
    revision: z.string().exactOptional().describe("A stable hash of the scanned tags."),
    tagCount: z.int().describe("Number of tags found in the last scan, after the exclusion list."),
    scanTime: Time.exactOptional().describe("When the last scan was performed."),
    latestTags: z
      .array(z.string())
      .exactOptional()
      .describe("A sample of the tags found: the first 10 in descending alphabetical order."),
  })
  .describe("The result of the last scan.");
export type ScanResult = z.infer<typeof ScanResult>;

/** Fields of the v1 spec; every older version's fields are among them. */
export const specShape = {
  image: Image,
  interval: Duration.describe("How often the repository is scanned (approximate, may be jittered)."),
  timeout: TimeoutDuration.exactOptional().describe(
    "Time limit for one scan, including reading the referenced Secrets; the interval when empty.",
  ),
  secretRef: SecretRef.exactOptional(),
  proxySecretRef: LocalObjectReference.exactOptional().describe(
    "Secret with the proxy to use: 'address', and optionally 'username' and 'password'.",
  ),
  serviceAccountName: ServiceAccountName.exactOptional(),
  certSecretRef: CertSecretRef.exactOptional(),
  suspend: Suspend.exactOptional(),
  accessFrom: AccessFromField.exactOptional(),
  exclusionList: z
    .array(z.string())
    .max(25)
    .default(() => [...DEFAULT_EXCLUSION_LIST])
    .describe(
      `Regular expressions of tags to leave out of the scan result, at most 25. Cosign signature tags (^.*\\.sig$) when omitted.`,
    ),
  provider: ImageRepositoryProvider.default("generic"),
  insecure: z.boolean().exactOptional().describe("Allows a registry served over plain HTTP."),
};

export const ImageRepositorySpec = z
  .object(specShape)
  .describe("An image repository to scan for tags, e.g. ghcr.io/org/app.");
export type ImageRepositorySpec = z.infer<typeof ImageRepositorySpec>;

export const statusShape = {
  conditions: z.array(Condition).exactOptional().describe("Conditions of the ImageRepository."),
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  canonicalImageName: z
    .string()
    .exactOptional()
    .describe("The image with every implied part made explicit, e.g. docker.io/library/alpine for alpine."),
  ...ReconcileRequestStatus.shape,
  lastScanResult: ScanResult.exactOptional(),
  observedExclusionList: z
    .array(z.string())
    .exactOptional()
    .describe("The exclusion list the last scan result was produced with."),
};

export const ImageRepositoryStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the ImageRepository.");
export type ImageRepositoryStatus = z.infer<typeof ImageRepositoryStatus>;

export const ImageRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
});
export type ImageRepository = z.infer<typeof ImageRepository>;
