import { crdContract } from "../../crd.test-support.ts";
import { gitRepositoryCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

crdContract(gitRepositoryCrd, {
  group: "source.toolkit.fluxcd.io",
  kind: "GitRepository",
  plural: "gitrepositories",
  shortNames: ["gitrepo"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  component: "source-controller",
  versions: { v1, v1beta2, v1beta1 },
  printerColumns: {
    v1: ["URL", "Age", "Ready", "Status"],
    v1beta2: ["URL", "Age", "Ready", "Status"],
    v1beta1: ["URL", "Ready", "Status", "Age"],
  },
  columnPaths: { URL: ".spec.url" },
  required: { ".spec": ["url", "interval"] },
  defaults: { ".spec.timeout": "60s", ".spec.verify.mode": "HEAD" },
  // The fields v1 dropped. gitImplementation has no default, so only a user's own setting is reported.
  deprecatedFields: [
    ".spec.gitImplementation",
    ".spec.accessFrom",
    ".status.url",
    ".status.contentConfigChecksum",
    ".status.artifact.checksum",
    ".status.includedArtifacts[].checksum",
  ],
});
