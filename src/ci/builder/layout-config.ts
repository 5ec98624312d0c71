/** The runtime settings of the image in an OCI layout the builder wrote: what a container applies. */
import { z } from "zod";
import { ImageConfig, ImageManifest } from "../../oci/manifest.ts";
import { blobPath, layoutManifest, readLayoutBytes } from "../resources/registry-image/oci-layout.ts";
import type { ImageRuntimeConfig } from "../sandbox/image.ts";

const strings = z.array(z.string()).nullish();
const RuntimeFields = z.looseObject({
  Env: strings,
  User: z.string().nullish(),
  WorkingDir: z.string().nullish(),
  Entrypoint: strings,
  Cmd: strings,
});

export async function layoutRuntimeConfig(layoutDir: string): Promise<ImageRuntimeConfig> {
  const what = "the built image";
  const read = async (digest: string): Promise<unknown> =>
    JSON.parse((await readLayoutBytes(layoutDir, blobPath(layoutDir, digest), what)).toString("utf8"));
  const manifest = ImageManifest.parse(await read((await layoutManifest(layoutDir, what)).digest));
  const fields = RuntimeFields.parse(ImageConfig.parse(await read(manifest.config.digest)).config ?? {});
  return {
    env: fields.Env ?? [],
    user: fields.User || undefined,
    workingDir: fields.WorkingDir || undefined,
    entrypoint: fields.Entrypoint ?? undefined,
    cmd: fields.Cmd ?? undefined,
  };
}
