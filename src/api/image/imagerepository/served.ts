/**
 * The one schema the API server serves for every ImageRepository version. v1 kept every field the
 * older versions had, so the union is v1 itself (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { KIND, SERVED_API_VERSIONS } from "./common.ts";
import { ImageRepositorySpec, ImageRepositoryStatus } from "./v1.ts";

export const ServedImageRepositorySpec = ImageRepositorySpec;
export type ServedImageRepositorySpec = z.infer<typeof ServedImageRepositorySpec>;

export const ServedImageRepositoryStatus = ImageRepositoryStatus;
export type ServedImageRepositoryStatus = z.infer<typeof ServedImageRepositoryStatus>;

export const ServedImageRepository = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedImageRepositorySpec,
  status: ServedImageRepositoryStatus,
});
export type ServedImageRepository = z.infer<typeof ServedImageRepository>;
