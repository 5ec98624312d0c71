import { buildCrd, printerColumns, type CustomResourceDefinition, type PrinterColumn } from "../../crd.ts";
import { CRD_CATEGORIES, CRD_LABELS, GROUP, KIND } from "./common.ts";
import { ServedImageUpdateAutomationSpec, ServedImageUpdateAutomationStatus } from "./served.ts";

// Flux declares the run time as a string column; kubectl prints it the same.
const lastRun: PrinterColumn = {
  name: "Last run",
  type: "string",
  jsonPath: ".status.lastAutomationRunTime",
};
const { age, ready, status } = printerColumns;
const description =
  "An automation that writes the images ImagePolicies chose into a Git repository, commits and pushes.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedImageUpdateAutomationSpec,
  status: ServedImageUpdateAutomationStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

// v1 and v1beta2 show the same columns, with the run time only in `-o wide`.
const columns = [ready, status, { ...lastRun, priority: 1 }, age];

export const imageUpdateAutomationCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "imageupdateautomations",
  singular: "imageupdateautomation",
  shortNames: ["iua", "imgupd", "imgauto"],
  categories: CRD_CATEGORIES,
  scope: "Namespaced",
  labels: CRD_LABELS,
  versions: [
    {
      name: "v1",
      spec: ServedImageUpdateAutomationSpec,
      status: ServedImageUpdateAutomationStatus,
      description,
      storage: true,
      printerColumns: columns,
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: columns },
    // Flux listed only this column for v1beta1.
    { ...deprecatedVersion("v1beta1"), printerColumns: [lastRun] },
  ],
});
