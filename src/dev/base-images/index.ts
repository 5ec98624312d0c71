/** The offline base images of the environment: built once from Debian packages, pushed under mirror names. */
import { pinnedVersions } from "../../common/toolchain.ts";
import { RegistryClient } from "../../oci/registry-client.ts";
import type { DevEnv } from "../env-file.ts";
import { ensureBaseImage, type BaseImage, type BuildOptions } from "./build.ts";
import { mirrorPrefix, pushBaseImages, type MirrorPushReport } from "./push.ts";
import { baseImageRecipes, type BaseImageRecipe } from "./recipes.ts";

export { mirrorPrefix, type MirrorPushReport } from "./push.ts";
export type { BaseImage } from "./build.ts";

export async function allRecipes(): Promise<BaseImageRecipe[]> {
  return baseImageRecipes(await pinnedVersions());
}

/**
 * Every base image, each built when the cache has none for its recipe. One at a time: mmdebstrap
 * runs are I/O-heavy and the machines this runs on have two cores.
 */
export async function ensureBaseImages(
  options: BuildOptions & { progress?: (image: BaseImage) => void } = {},
): Promise<BaseImage[]> {
  const images: BaseImage[] = [];
  for (const recipe of await allRecipes()) {
    const image = await ensureBaseImage(recipe, options);
    options.progress?.(image);
    images.push(image);
  }
  return images;
}

/** "golang-af58daf56c4e (cached: 640.3 MB root, 186.5 MB layer, build took 66.9 s)" */
export function describeBaseImage(image: BaseImage): string {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const { build } = image;
  return `${image.recipe.name}-${image.key} (${image.cached ? "cached" : "built"}: ${mb(build.rootfsBytes)} root, ${mb(build.layerBytes)} layer, build took ${build.seconds} s)`;
}

/**
 * Builds what the cache lacks and pushes every base image to the environment's registry under
 * its mirror names; the environment then names its mirror prefix (`imageMirror`).
 */
export async function pushToEnvironment(
  env: DevEnv,
  options: { progress?: (message: string) => void; signal?: AbortSignal } = {},
): Promise<{ env: DevEnv; pushed: MirrorPushReport }> {
  const images = await ensureBaseImages({
    ...(options.signal ? { signal: options.signal } : {}),
    progress: (image) => options.progress?.(`base image ${describeBaseImage(image)}`),
  });
  const credentials =
    env.registryUsername && env.registryPassword
      ? { username: env.registryUsername, password: env.registryPassword }
      : undefined;
  const client = new RegistryClient({
    host: env.registry,
    insecure: true,
    ...(credentials ? { credentials } : {}),
  });
  try {
    const pushed = await pushBaseImages(client, images, options.signal ? { signal: options.signal } : {});
    return { env: { ...env, imageMirror: `${env.registry}/${mirrorPrefix}` }, pushed };
  } finally {
    await client.close();
  }
}
