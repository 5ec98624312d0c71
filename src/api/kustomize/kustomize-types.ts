/**
 * The kustomize building blocks Flux embeds in its APIs (fluxcd/pkg/apis/kustomize): image
 * overrides, patch targets, patches and CEL health checks. Kustomization uses them; HelmRelease
 * post-renderers will too.
 */
import { z } from "zod";

export const Image = z
  .object({
    name: z.string().describe("Image name without tag, as it appears in the manifests."),
    newName: z.string().exactOptional().describe("Name that replaces the original name."),
    newTag: z.string().exactOptional().describe("Tag that replaces the original tag."),
    digest: z
      .string()
      .exactOptional()
      .describe("Digest that replaces the original tag; newTag is ignored when set."),
  })
  .describe("An image name, tag or digest override, as kustomize's images field.");
export type Image = z.infer<typeof Image>;

export const Selector = z
  .object({
    group: z.string().exactOptional().describe("API group of the resources to select."),
    version: z.string().exactOptional().describe("API version of the resources to select."),
    kind: z.string().exactOptional().describe("Kind of the resources to select."),
    namespace: z
      .string()
      .exactOptional()
      .describe("Namespace of the resources to select; an anchored regular expression."),
    name: z
      .string()
      .exactOptional()
      .describe("Name of the resources to select; an anchored regular expression."),
    annotationSelector: z
      .string()
      .exactOptional()
      .describe("Label-selector expression matched against the resources' annotations."),
    labelSelector: z
      .string()
      .exactOptional()
      .describe("Label-selector expression matched against the resources' labels."),
  })
  .describe("Resources a patch applies to: those matching every field that is set.");
export type Selector = z.infer<typeof Selector>;

export const Patch = z
  .object({
    patch: z
      .string()
      .describe("Inline strategic merge patch, or JSON 6902 patch as a list of operations, in YAML or JSON."),
    target: Selector.exactOptional().describe(
      "Resources to patch; without it a strategic merge patch applies to the object its own apiVersion, kind, name and namespace identify.",
    ),
  })
  .describe("A strategic merge or JSON 6902 patch and the resources it applies to.");
export type Patch = z.infer<typeof Patch>;

export const JSON6902Operation = z
  .object({
    op: z
      .enum(["test", "remove", "add", "replace", "move", "copy"])
      .describe("The RFC 6902 operation: add, remove, replace, move, copy or test."),
    path: z.string().describe("JSON pointer to the location the operation acts on."),
    from: z.string().exactOptional().describe("JSON pointer to the source location of move and copy."),
    // Nullable, unlike Flux's CRD, where the API server drops `value: null` and `add` loses its value.
    value: z
      .unknown()
      .nullable()
      .exactOptional()
      .describe("The value add, replace and test use; any JSON, null included."),
  })
  .describe("One RFC 6902 operation.");
export type JSON6902Operation = z.infer<typeof JSON6902Operation>;

export const JSON6902Patch = z
  .object({
    patch: z.array(JSON6902Operation).describe("The operations, applied in order."),
    target: Selector.describe("Resources the operations apply to."),
  })
  .describe("A JSON 6902 patch as structured operations and its target.");
export type JSON6902Patch = z.infer<typeof JSON6902Patch>;

export const CustomHealthCheck = z
  .object({
    apiVersion: z.string().describe("API version of the custom resource the expressions evaluate."),
    kind: z.string().describe("Kind of the custom resource the expressions evaluate."),
    current: z
      .string()
      .describe("CEL expression that is true when the resource has reached its desired state."),
    inProgress: z
      .string()
      .exactOptional()
      .describe("CEL expression that is true while the resource is still progressing."),
    failed: z
      .string()
      .exactOptional()
      .describe("CEL expression that is true when the resource has failed to reach its desired state."),
  })
  .describe("CEL expressions that assess the health of a custom resource kind.");
export type CustomHealthCheck = z.infer<typeof CustomHealthCheck>;
