import type { MirrorPushReport } from "../../src/dev/base-images/index.ts";
import type { DevEnv } from "../../src/dev/env-file.ts";
import { devUp } from "../../src/dev/environment.ts";
import { testEnvDir } from "./env.ts";

/**
 * The shared test environment with the offline base images pushed under their mirror names
 * (`env.imageMirror`). Only tests that ask pay for it: the first call pushes (seconds, from the
 * image cache that `make setup` fills), later calls find every tag in place after one HEAD each.
 */
export async function testEnvWithImages(): Promise<{
  env: DevEnv & { imageMirror: string };
  pushed: MirrorPushReport;
}> {
  const { env, images } = await devUp({ dir: testEnvDir, nodes: 3, images: true });
  if (!env.imageMirror || !images) throw new Error("dev up --images named no image mirror");
  return { env: { ...env, imageMirror: env.imageMirror }, pushed: images };
}
