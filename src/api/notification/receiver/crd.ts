import { buildCrd, printerColumns, type CustomResourceDefinition } from "../../crd.ts";
import { CRD_CATEGORIES, CRD_LABELS } from "../common.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedReceiverSpec, ServedReceiverStatus } from "./served.ts";

const { age, ready, status } = printerColumns;
const description = "A webhook that asks Flux objects to reconcile when an accepted request arrives.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedReceiverSpec,
  status: ServedReceiverStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

export const receiverCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "receivers",
  singular: "receiver",
  categories: CRD_CATEGORIES,
  scope: "Namespaced",
  labels: CRD_LABELS,
  versions: [
    {
      name: "v1",
      spec: ServedReceiverSpec,
      status: ServedReceiverStatus,
      description,
      storage: true,
      printerColumns: [age, ready, status],
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: [age, ready, status] },
    { ...deprecatedVersion("v1beta1"), printerColumns: [ready, status, age] },
  ],
});
