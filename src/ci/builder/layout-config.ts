/** The runtime settings of the image in an OCI layout the builder wrote (for Concourse's `metadata.json`). */
import { ImageConfig, ImageManifest } from "../../oci/manifest.ts";
import { blobPath, layoutManifest, readLayoutBytes } from "../resources/registry-image/oci-layout.ts";

export interface ImageUserAndEnv {
  env: string[];
  user: string;
}

export async function layoutImageUserAndEnv(layoutDir: string): Promise<ImageUserAndEnv> {
  const what = "the built image";
  const read = async (digest: string): Promise<unknown> =>
    JSON.parse((await readLayoutBytes(layoutDir, blobPath(layoutDir, digest), what)).toString("utf8"));
  const manifest = ImageManifest.parse(await read((await layoutManifest(layoutDir, what)).digest));
  const config = ImageConfig.parse(await read(manifest.config.digest)).config ?? {};
  const env = Array.isArray(config["Env"]) ? config["Env"].map(String) : [];
  return { env, user: typeof config["User"] === "string" ? config["User"] : "" };
}
