import { buildCrd, printerColumns, type CustomResourceDefinition, type PrinterColumn } from "../../crd.ts";
import { CRD_CATEGORIES, CRD_LABELS } from "../common.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedImagePolicySpec, ServedImagePolicyStatus } from "./served.ts";

const image: PrinterColumn = { name: "Image", type: "string", jsonPath: ".status.latestRef.name" };
const tag: PrinterColumn = { name: "Tag", type: "string", jsonPath: ".status.latestRef.tag" };
// v1beta1's only column; Sluice writes status.latestImage beside latestRef, so it stays filled.
const latestImage: PrinterColumn = { name: "LatestImage", type: "string", jsonPath: ".status.latestImage" };
const { age, ready, status } = printerColumns;
const description = "A rule choosing the latest image from the tags an ImageRepository scanned.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedImagePolicySpec,
  status: ServedImagePolicyStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

const columns = [image, tag, ready, status, age];

export const imagePolicyCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "imagepolicies",
  singular: "imagepolicy",
  shortNames: ["imgpol", "imagepol"],
  categories: CRD_CATEGORIES,
  scope: "Namespaced",
  labels: CRD_LABELS,
  versions: [
    {
      name: "v1",
      spec: ServedImagePolicySpec,
      status: ServedImagePolicyStatus,
      description,
      storage: true,
      printerColumns: columns,
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: columns },
    { ...deprecatedVersion("v1beta1"), printerColumns: [latestImage] },
  ],
});
