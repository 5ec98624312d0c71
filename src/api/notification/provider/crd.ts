import { buildCrd, printerColumns, type CustomResourceDefinition } from "../../crd.ts";
import { CRD_CATEGORIES, CRD_LABELS } from "../common.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedProviderSpec, ServedProviderStatus } from "./served.ts";

const { age, ready, status } = printerColumns;
const description = "Where and how notification events are sent.";

// v1beta1 and v1beta2 keep the status subresource and the columns of Flux's CRDs; v1beta3 is static,
// as Flux's: no subresource, only Age. The schema is the same for all three.
const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedProviderSpec,
  status: ServedProviderStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1beta3`,
});

export const providerCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "providers",
  singular: "provider",
  categories: CRD_CATEGORIES,
  scope: "Namespaced",
  labels: CRD_LABELS,
  versions: [
    {
      name: "v1beta3",
      spec: ServedProviderSpec,
      status: ServedProviderStatus,
      statusSubresource: false,
      description,
      storage: true,
      printerColumns: [age],
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: [age, ready, status] },
    { ...deprecatedVersion("v1beta1"), printerColumns: [ready, status, age] },
  ],
});
