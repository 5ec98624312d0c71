import { z } from "zod";

/** A content descriptor: what a manifest says about each blob it refers to. */
export const Descriptor = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

/** An OCI image manifest (the Docker v2 schema 2 manifest has the same shape). */
export const ImageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof ImageManifest>;

/** The parts of an image config Sluice reads; other fields pass through untouched. */
export const ImageConfig = z.looseObject({
  created: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  config: z.looseObject({}).optional(),
  rootfs: z.object({ type: z.literal("layers"), diff_ids: z.array(z.string()) }),
});
export type ImageConfig = z.infer<typeof ImageConfig>;

export const Platform = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
});

/** An OCI image index (the Docker manifest list has the same shape): manifests per platform. */
export const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor.extend({ platform: Platform.optional() })),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof ImageIndex>;
