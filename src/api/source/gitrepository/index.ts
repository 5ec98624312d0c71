/** GitRepository (source.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export { GROUP, KIND, SERVED_API_VERSIONS, GitRepositoryInclude, type ServedApiVersion } from "./common.ts";
export { convertToV1, type Converted } from "./convert.ts";
export { parseGitRepository } from "./parse.ts";
export { gitRepositoryCrd } from "./crd.ts";
