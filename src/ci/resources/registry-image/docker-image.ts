/**
 * The `docker-image` resource's check and get, as concourse/docker-image-resource answers them:
 * versions `{digest}` of one tag (default latest), served by the registry-image implementation.
 * Its put builds the image with Sluice's builder and pushes it (docker-image-put.ts).
 */
import { rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseConfig, ResourceError, type BuiltinResource, type ResourceConfig } from "../resource.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { buildAndPushDockerImage } from "./docker-image-put.ts";
import { checkImage, getImage, type RegistryImageOptions } from "./resource.ts";
import { parseRegistryImageSource, type RegistryImageSource } from "./source.ts";

const sourceSchema = z.object({
  repository: z.string().min(1),
  tag: z
    .union([z.string().min(1), z.number()])
    .transform(String)
    .default("latest"),
  username: z.string().optional(),
  password: z.string().optional(),
  insecure_registries: z.array(z.string()).default([]),
  registry_mirror: z.string().min(1).optional(),
  ca_certs: z.array(z.object({ domain: z.string(), cert: z.string() })).default([]),
});

const getParamsSchema = z.object({
  skip_download: z.boolean().default(false),
  rootfs: z.boolean().default(false),
  save: z.boolean().default(false),
});

/** docker-image's source in registry-image's terms. */
function asRegistryImageSource(raw: ResourceConfig): RegistryImageSource {
  const source = parseConfig(sourceSchema, raw, "source");
  const registry = parseRegistryImageSource({ repository: source.repository }).origin.location.registry;
  return parseRegistryImageSource({
    repository: source.repository,
    tag: source.tag,
    ...(source.username !== undefined ? { username: source.username } : {}),
    ...(source.password !== undefined ? { password: source.password } : {}),
    insecure: source.insecure_registries.includes(registry),
    ca_certs: source.ca_certs.map((entry) => entry.cert),
    ...(source.registry_mirror !== undefined
      ? { registry_mirror: { host: mirrorHost(source.registry_mirror) } }
      : {}),
  });
}

function mirrorHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    throw new ResourceError("InvalidConfig", `invalid source: registry_mirror "${url}" is not a URL`);
  }
}

export interface DockerImageOptions extends RegistryImageOptions {
  /** Builds the images put pushes; without one, put fails saying so. */
  builder?: ImageBuilder | undefined;
}

export function dockerImageResource(options: DockerImageOptions = {}): BuiltinResource {
  return {
    type: "docker-image",
    async check(rawSource, fromVersion, call = {}) {
      const source = asRegistryImageSource(rawSource);
      const from = fromVersion?.["digest"] === undefined ? undefined : { digest: fromVersion["digest"] };
      const versions = await checkImage(source, from, options, call);
      return versions.map(({ digest }) => ({ digest }));
    },
    async get(rawSource, version, rawParams, destDir, call = {}) {
      const source = asRegistryImageSource(rawSource);
      const params = parseConfig(getParamsSchema, rawParams, "params");
      const format = params.rootfs ? "rootfs" : "oci";
      const skip = params.skip_download || (!params.rootfs && !params.save);
      const result = await getImage(source, version, { format, skip_download: skip }, destDir, options, call);
      // docker-image-resource names the saved image `image`
      if (params.save && !skip) await rename(path.join(destDir, "image.tar"), path.join(destDir, "image"));
      return { version: { digest: result.version["digest"] ?? "" }, metadata: result.metadata };
    },
    put(rawSource, rawParams, inputsDir, call = {}) {
      return buildAndPushDockerImage(
        options.builder,
        asRegistryImageSource(rawSource),
        rawParams,
        inputsDir,
        call,
      );
    },
  };
}
