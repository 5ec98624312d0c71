/** The image builder a server or a CLI run uses: BuildKit, with the pinned binaries from the version cache. */
import path from "node:path";
import { cacheDir, upstreamBinary } from "../../common/toolchain.ts";
import { RegistryMirrors } from "../../oci/mirrors.ts";
import { BuildkitImageBuilder } from "./buildkit/builder.ts";
import { BuildkitDaemon } from "./buildkit/daemon.ts";
import type { ImageBuilder } from "./image-builder.ts";

/** Where a builder outside a server keeps its state and cache (`sluice build image`, dev builds). */
export const defaultBuilderStateDir = (): string => path.join(cacheDir(), "builder");

export interface ImageBuilderOptions {
  /** The builder's state (its cache) lives here, e.g. `<dataDir>/builder`. */
  stateDir: string;
  mirrors?: RegistryMirrors | undefined;
  insecureRegistries?: readonly string[] | undefined;
  maxCacheBytes?: number | undefined;
  /** A build stops when the disk holding `stateDir` has less free (default 1 GiB). */
  minFreeBytes?: number | undefined;
  /** The builder daemon's own log lines. */
  log?: ((line: string) => void) | undefined;
}

/**
 * A builder whose binaries are looked up and whose daemon starts on the first build, so a server
 * without BuildKit built still runs everything else; `close()` stops the daemon.
 */
export function createImageBuilder(options: ImageBuilderOptions): ImageBuilder {
  let created: Promise<BuildkitImageBuilder> | undefined;
  const create = async (): Promise<BuildkitImageBuilder> => {
    const [buildkitd, buildctl] = await Promise.all([
      upstreamBinary("buildkitd"),
      upstreamBinary("buildctl"),
    ]);
    const daemon = new BuildkitDaemon({
      buildkitd,
      stateDir: options.stateDir,
      mirrors: options.mirrors ?? new RegistryMirrors(),
      insecureRegistries: options.insecureRegistries,
      maxCacheBytes: options.maxCacheBytes,
      log: options.log,
    });
    return new BuildkitImageBuilder({
      daemon,
      buildctl,
      stateDir: options.stateDir,
      minFreeBytes: options.minFreeBytes,
    });
  };
  return {
    async build(request) {
      const attempt = (created ??= create());
      const builder = await attempt.catch((error: unknown) => {
        if (created === attempt) created = undefined; // e.g. BuildKit built since: try again next time
        throw error;
      });
      return builder.build(request);
    },
    async close() {
      const builder = await created?.catch(() => undefined);
      created = undefined;
      await builder?.close();
    },
  };
}

export * from "./image-builder.ts";
