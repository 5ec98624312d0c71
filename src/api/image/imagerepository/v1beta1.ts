/** ImageRepository image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated). */
import { z } from "zod";
import { Duration, kindObject, TimeoutDuration } from "../../meta.ts";
import {
  API_VERSION_V1BETA1,
  AccessFromField,
  CertSecretRef,
  Image,
  KIND,
  SecretRef,
  ServiceAccountName,
  Suspend,
  exclusionListDescription,
  scanResultFields,
  statusBaseShape,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ScanResult = z.object(scanResultFields);
export type ScanResult = z.infer<typeof ScanResult>;

// The last v1beta1 CRD had v1's duration patterns; exclusionList had neither a default nor a limit.
export const ImageRepositorySpec = z.object({
  image: Image,
  interval: Duration.describe("How often the repository is scanned."),
  timeout: TimeoutDuration.exactOptional().describe("Time limit for one scan; the interval when empty."),
  secretRef: SecretRef.exactOptional(),
  serviceAccountName: ServiceAccountName.exactOptional(),
  certSecretRef: CertSecretRef.exactOptional(),
  suspend: Suspend.exactOptional(),
  accessFrom: AccessFromField.exactOptional(),
  exclusionList: z.array(z.string()).exactOptional().describe(exclusionListDescription),
});
export type ImageRepositorySpec = z.infer<typeof ImageRepositorySpec>;

export const ImageRepositoryStatus = z
  .object({ ...statusBaseShape, lastScanResult: ScanResult.exactOptional() })
  .default(() => ({ observedGeneration: -1 }));
export type ImageRepositoryStatus = z.infer<typeof ImageRepositoryStatus>;

export const ImageRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
});
export type ImageRepository = z.infer<typeof ImageRepository>;
