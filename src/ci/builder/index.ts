/** The image builder a server or a CLI run uses: BuildKit, with the pinned binaries from the version cache. */
import { upstreamBinary } from "../../common/toolchain.ts";
import { RegistryMirrors } from "../../oci/mirrors.ts";
import { BuildkitImageBuilder } from "./buildkit/builder.ts";
import { BuildkitDaemon } from "./buildkit/daemon.ts";
import type { ImageBuilder } from "./image-builder.ts";

export interface ImageBuilderOptions {
  /** The builder's state (its cache) lives here, e.g. `<dataDir>/builder`. */
  stateDir: string;
  mirrors?: RegistryMirrors | undefined;
  insecureRegistries?: readonly string[] | undefined;
  maxCacheBytes?: number | undefined;
  /** The builder daemon's own log lines. */
  log?: ((line: string) => void) | undefined;
}

/** A builder whose daemon starts on the first build; `close()` stops it. */
export async function createImageBuilder(options: ImageBuilderOptions): Promise<ImageBuilder> {
  const [buildkitd, buildctl] = await Promise.all([upstreamBinary("buildkitd"), upstreamBinary("buildctl")]);
  const daemon = new BuildkitDaemon({
    buildkitd,
    stateDir: options.stateDir,
    mirrors: options.mirrors ?? new RegistryMirrors(),
    insecureRegistries: options.insecureRegistries,
    maxCacheBytes: options.maxCacheBytes,
    log: options.log,
  });
  return new BuildkitImageBuilder({ daemon, buildctl });
}

export * from "./image-builder.ts";
