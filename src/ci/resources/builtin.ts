/** The resource types built into the engine, by the `type:` a pipeline names them with. */
import type { RegistryMirrors } from "../../oci/mirrors.ts";
import type { ImageBuilder } from "../builder/image-builder.ts";
import { gitResource } from "./git/resource.ts";
import { dockerImageResource } from "./registry-image/docker-image.ts";
import { registryImageResource, type RootfsUnpacker } from "./registry-image/resource.ts";
import type { BuiltinResource } from "./resource.ts";
import { semverResource } from "./semver/resource.ts";
import { timeResource } from "./time/resource.ts";

export type BuiltinResources = ReadonlyMap<string, BuiltinResource>;

export interface BuiltinResourceOptions {
  /** The engine's registry mirrors, for registry-image and docker-image reads. */
  mirrors?: RegistryMirrors;
  /** Unpacks image layers for registry-image's `format: rootfs`. */
  unpacker?: RootfsUnpacker;
  /** Builds the images docker-image's put pushes. */
  builder?: ImageBuilder;
  /** Where the git resource keeps its bare mirrors (default: under the system temp directory). */
  gitCacheDir?: string;
}

export function builtinResources(options: BuiltinResourceOptions = {}): BuiltinResources {
  const all = [
    timeResource(),
    semverResource,
    gitResource(options.gitCacheDir ? { cacheDir: options.gitCacheDir } : {}),
    registryImageResource(options),
    dockerImageResource(options),
  ];
  return new Map(all.map((resource) => [resource.type, resource]));
}
