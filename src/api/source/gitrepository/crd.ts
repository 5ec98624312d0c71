import { buildCrd, printerColumns, type CustomResourceDefinition, type PrinterColumn } from "../../crd.ts";
import { GROUP, KIND } from "./common.ts";
import { ServedGitRepositorySpec, ServedGitRepositoryStatus } from "./served.ts";

const url: PrinterColumn = { name: "URL", type: "string", jsonPath: ".spec.url" };
const { age, ready, status } = printerColumns;
const description = "A Git repository the source controller fetches and packs into an artifact.";

const deprecatedVersion = (name: string) => ({
  name,
  spec: ServedGitRepositorySpec,
  status: ServedGitRepositoryStatus,
  description,
  storage: false,
  deprecated: true,
  deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated, use ${GROUP}/v1`,
});

export const gitRepositoryCrd: CustomResourceDefinition = buildCrd({
  group: GROUP,
  kind: KIND,
  plural: "gitrepositories",
  singular: "gitrepository",
  shortNames: ["gitrepo"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  scope: "Namespaced",
  labels: { "app.kubernetes.io/part-of": "sluice", "app.kubernetes.io/component": "source-controller" },
  versions: [
    {
      name: "v1",
      spec: ServedGitRepositorySpec,
      status: ServedGitRepositoryStatus,
      description,
      storage: true,
      printerColumns: [url, age, ready, status],
    },
    { ...deprecatedVersion("v1beta2"), printerColumns: [url, age, ready, status] },
    { ...deprecatedVersion("v1beta1"), printerColumns: [url, ready, status, age] },
  ],
});
