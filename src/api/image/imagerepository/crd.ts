import { buildCrd, printerColumns, type CustomResourceDefinition, type PrinterColumn } from "../../crd.ts";
import { CRD_CATEGORIES, CRD_LABELS } from "../common.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedImageRepositorySpec, ServedImageRepositoryStatus } from "./served.ts";

const image: PrinterColumn = { name: "Image", type: "string", jsonPath: ".spec.image" };
// Flux declares the tag count and the scan time as string columns; kubectl prints them the same.
const tags: PrinterColumn = { name: "Tags", type: "string", jsonPath: ".status.lastScanResult.tagCount" };
const lastScan: PrinterColumn = {
  name: "Last scan",
  type: "string",
  jsonPath: ".status.lastScanResult.scanTime",
};
const { age, ready, status } = printerColumns;
const description = "An image repository the image reflector controller scans for tags.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedImageRepositorySpec,
  status: ServedImageRepositoryStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

// v1 and the last v1beta2 show the same columns, with the scan time only in `-o wide`.
const columns = [image, tags, ready, status, { ...lastScan, priority: 1 }, age];

export const imageRepositoryCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "imagerepositories",
  singular: "imagerepository",
  shortNames: ["imgrepo", "imagerepo"],
  categories: CRD_CATEGORIES,
  scope: "Namespaced",
  labels: CRD_LABELS,
  versions: [
    {
      name: "v1",
      spec: ServedImageRepositorySpec,
      status: ServedImageRepositoryStatus,
      description,
      storage: true,
      printerColumns: columns,
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: columns },
    // Flux listed only these two columns for v1beta1.
    { ...deprecatedVersion("v1beta1"), printerColumns: [lastScan, tags] },
  ],
});
