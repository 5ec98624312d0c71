/**
 * The one schema the API server serves for every GitRepository version: v1 plus the fields older
 * versions had, marked deprecated. Identical schemas let the CRD use `conversion: None` without
 * losing a field between versions (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { ArtifactV1beta2, kindObject } from "../../meta.ts";
import { AccessFromField, GitImplementation, KIND, SERVED_API_VERSIONS } from "./common.ts";
import { specSchema, specShape, statusShape } from "./v1.ts";

export const ServedGitRepositorySpec = specSchema(
  {
    ...specShape,
    // Flux defaulted this to go-git; Sluice leaves it unset so only a user's own setting is reported.
    gitImplementation: GitImplementation.exactOptional(),
    accessFrom: AccessFromField.exactOptional(),
  },
  "Configuration to produce an artifact from a Git repository.",
);
export type ServedGitRepositorySpec = z.infer<typeof ServedGitRepositorySpec>;

// Artifacts written by older Flux controllers may lack digest and carry checksum instead.
const ServedArtifact = ArtifactV1beta2;

export const ServedGitRepositoryStatus = z
  .object({
    ...statusShape,
    artifact: ServedArtifact.exactOptional().describe("The artifact of the last successful reconciliation."),
    includedArtifacts: z
      .array(ServedArtifact)
      .exactOptional()
      .describe("The artifacts last included as the spec's include list asked."),
    url: z
      .string()
      .exactOptional()
      .meta({ deprecated: true })
      .describe("Link to the latest artifact, superseded by artifact.url."),
    contentConfigChecksum: z
      .string()
      .exactOptional()
      .meta({ deprecated: true })
      .describe("Checksum of the content configuration, superseded by the observed* fields."),
  })
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the GitRepository.");
export type ServedGitRepositoryStatus = z.infer<typeof ServedGitRepositoryStatus>;

export const ServedGitRepository = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedGitRepositorySpec,
  status: ServedGitRepositoryStatus,
});
export type ServedGitRepository = z.infer<typeof ServedGitRepository>;
