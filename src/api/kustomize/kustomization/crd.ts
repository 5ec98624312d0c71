import { buildCrd, printerColumns, type CustomResourceDefinition } from "../../crd.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedKustomizationSpec, ServedKustomizationStatus } from "./served.ts";

const { age, ready, status } = printerColumns;
const description = "A set of manifests the kustomize controller builds from a source artifact and applies.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedKustomizationSpec,
  status: ServedKustomizationStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

export const kustomizationCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "kustomizations",
  singular: "kustomization",
  shortNames: ["ks"],
  categories: ["all", "fluxcd"],
  scope: "Namespaced",
  labels: { "app.kubernetes.io/part-of": "sluice", "app.kubernetes.io/component": "kustomize-controller" },
  versions: [
    {
      name: "v1",
      spec: ServedKustomizationSpec,
      status: ServedKustomizationStatus,
      description,
      storage: true,
      printerColumns: [age, ready, status],
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: [age, ready, status] },
    // Flux listed v1beta1's columns in this order.
    { ...deprecatedVersion("v1beta1"), printerColumns: [ready, status, age] },
  ],
});
