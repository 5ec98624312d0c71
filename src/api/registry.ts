/** Every CustomResourceDefinition Sluice serves, for `sluice install` and the tests. */
import { stringify } from "yaml";
import type { CustomResourceDefinition } from "./crd.ts";
import { imagePolicyCrd } from "./image/imagepolicy/crd.ts";
import { imageRepositoryCrd } from "./image/imagerepository/crd.ts";
import { imageUpdateAutomationCrd } from "./image/imageupdateautomation/crd.ts";
import { kustomizationCrd } from "./kustomize/kustomization/crd.ts";
import { alertCrd } from "./notification/alert/crd.ts";
import { providerCrd } from "./notification/provider/crd.ts";
import { receiverCrd } from "./notification/receiver/crd.ts";
import { gitRepositoryCrd } from "./source/gitrepository/crd.ts";

export const crds: readonly CustomResourceDefinition[] = [
  gitRepositoryCrd,
  kustomizationCrd,
  imageRepositoryCrd,
  imagePolicyCrd,
  imageUpdateAutomationCrd,
  receiverCrd,
  providerCrd,
  alertCrd,
];

/** All CRDs as one multi-document YAML stream. */
export function renderCrdsYaml(): string {
  return crds.map((crd) => `---\n${stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
}
