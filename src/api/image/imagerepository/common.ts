/** Parts of the ImageRepository API that every version shares. */
import { z } from "zod";
import { AccessFrom, LocalObjectReference } from "../../meta.ts";

export {
  API_VERSION_V1,
  API_VERSION_V1BETA1,
  API_VERSION_V1BETA2,
  GROUP,
  SERVED_API_VERSIONS,
  type ServedApiVersion,
} from "../common.ts";

export const KIND = "ImageRepository";

/** Tags ending in `.sig` are cosign signatures, not images; v1beta2 and v1 exclude them by default. */
export const DEFAULT_EXCLUSION_LIST: readonly string[] = ["^.*\\.sig$"];

export const Image = z
  .string()
  .describe(
    "Address of the image repository without a scheme, e.g. ghcr.io/org/app or alpine; the controller scans its canonical form.",
  );

export const SecretRef = LocalObjectReference.describe(
  "Secret of type kubernetes.io/dockerconfigjson (as `kubectl create secret docker-registry` makes it) with credentials for the registry.",
);

export const CertSecretRef = LocalObjectReference.describe(
  "Secret with TLS material for the registry: ca.crt to trust a private CA, tls.crt and tls.key to authenticate with a client certificate (older Secrets name them caFile, certFile and keyFile).",
);

export const ServiceAccountName = z
  .string()
  .max(253)
  .describe(
    "ServiceAccount whose image pull secrets authenticate to the registry (provider generic), or whose identity does (aws, azure, gcp).",
  );

export const Suspend = z.boolean().describe("Stops scanning while true; a scan already started finishes.");

export const AccessFromField = AccessFrom.describe(
  "Namespaces whose ImagePolicies may refer to this ImageRepository; only its own namespace when empty.",
);
