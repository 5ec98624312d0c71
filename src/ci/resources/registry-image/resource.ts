/** The `registry-image` resource, as concourse/registry-image-resource behaves, through Sluice's OCI client. */
import { glob, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { RegistryError } from "../../../oci/errors.ts";
import type { RegistryMirrors } from "../../../oci/mirrors.ts";
import { parseVersion, type SemVer } from "../../../semver/version.ts";
import {
  parseConfig,
  ResourceError,
  type BuiltinResource,
  type ResourceCall,
  type Version,
  type VersionResult,
} from "../resource.ts";
import { checkVersions, type ImageVersion } from "./check.ts";
import { readImageInput } from "./image-input.ts";
import { pullImage, type PulledImage } from "./pull.ts";
import { pushImageTo } from "./push.ts";
import { readEndpoints, readFromFirst, withRepository, type Repository } from "./registry.ts";
import { aliasesToBump, variantTag } from "./semver-tags.ts";
import { parseRegistryImageSource, type RegistryImageSource } from "./source.ts";
import { packTarball } from "./tarball.ts";

/**
 * Unpacks a pulled image into a root filesystem (whiteouts honoured, paths escaping the root
 * refused); the image builder implements it (`builderRootfsUnpacker`).
 */
export interface RootfsUnpacker {
  /** `rootfsDir` exists and is empty. */
  unpack(image: PulledImage, rootfsDir: string, signal?: AbortSignal): Promise<void>;
}

export interface RegistryImageOptions {
  /** The engine's `--registry-mirror`s, applied to every read. */
  mirrors?: RegistryMirrors;
  unpacker?: RootfsUnpacker;
}

export const getParamsSchema = z.object({
  format: z.enum(["rootfs", "oci", "oci-layout"]).default("rootfs"),
  skip_download: z.boolean().default(false),
});
export type GetParams = z.output<typeof getParamsSchema>;

const putParamsSchema = z.object({
  image: z.string().min(1),
  additional_tags: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  tag_prefix: z.string().min(1).optional(),
  bump_aliases: z.boolean().default(false),
});
type PutParams = z.output<typeof putParamsSchema>;

const VersionSchema = z.object({
  tag: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
});

export function registryImageResource(options: RegistryImageOptions = {}): BuiltinResource {
  return {
    type: "registry-image",
    check(rawSource, fromVersion, call = {}) {
      return checkImage(parseRegistryImageSource(rawSource), fromVersion, options, call);
    },
    async get(rawSource, version, rawParams, destDir, call = {}) {
      const params = parseConfig(getParamsSchema, rawParams, "params");
      return getImage(parseRegistryImageSource(rawSource), version, params, destDir, options, call);
    },
    async put(rawSource, rawParams, inputsDir, call = {}) {
      const source = parseRegistryImageSource(rawSource);
      const params = parseConfig(putParamsSchema, rawParams, "params");
      return putImage(source, params, inputsDir, call);
    },
  };
}

export function checkImage(
  source: RegistryImageSource,
  fromVersion: Version | undefined,
  options: RegistryImageOptions,
  call: ResourceCall,
): Promise<ImageVersion[]> {
  return readFromFirst(readEndpoints(source, options.mirrors), (repository) =>
    checkVersions(repository, source.watch, fromVersion, call.signal),
  );
}

/** get: the `repository`, `tag` and `digest` files, and the image in `params.format` unless skipped. */
export async function getImage(
  source: RegistryImageSource,
  rawVersion: Version,
  params: GetParams,
  destDir: string,
  options: RegistryImageOptions,
  call: ResourceCall,
): Promise<VersionResult> {
  const parsed = VersionSchema.safeParse(rawVersion);
  if (!parsed.success) {
    throw new ResourceError("InvalidVersion", `version ${JSON.stringify(rawVersion)} has no sha256 digest`);
  }
  const { digest } = parsed.data;
  const tag = parsed.data.tag ?? source.tag ?? "latest";
  const { unpacker } = options;
  if (!params.skip_download && params.format === "rootfs" && !unpacker) {
    throw new ResourceError(
      "Failed",
      "format rootfs needs the image unpacker, which this engine does not have yet",
    );
  }
  await mkdir(destDir, { recursive: true });
  await writeFile(path.join(destDir, "repository"), source.repository);
  await writeFile(path.join(destDir, "tag"), tag);
  await writeFile(path.join(destDir, "digest"), digest);
  const result = { version: { tag, digest }, metadata: [{ name: "repository", value: source.repository }] };
  if (params.skip_download) return result;
  const scratch = await mkdtemp(path.join(destDir, ".pull-"));
  try {
    const layoutDir =
      params.format === "oci-layout" ? path.join(destDir, "oci") : path.join(scratch, "layout");
    const image = await readFromFirst(readEndpoints(source, options.mirrors), (repository) =>
      pullImage(repository, digest, tag, source.platform, layoutDir, call.signal),
    );
    if (params.format === "oci")
      await writeImageTarball(image, `${source.repository}:${tag}`, destDir, call.signal);
    if (params.format === "rootfs" && unpacker) await writeRootfs(image, unpacker, destDir, call.signal);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

/** `image.tar`: the OCI layout plus docker's manifest.json, so both OCI tools and `docker load` read it. */
async function writeImageTarball(image: PulledImage, repoTag: string, destDir: string, signal?: AbortSignal) {
  const blob = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;
  const dockerManifest = [
    {
      Config: blob(image.manifest.config.digest),
      RepoTags: [repoTag],
      Layers: image.manifest.layers.map((layer) => blob(layer.digest)),
    },
  ];
  await writeFile(path.join(image.layoutDir, "manifest.json"), JSON.stringify(dockerManifest));
  await packTarball(image.layoutDir, path.join(destDir, "image.tar"), signal);
}

async function writeRootfs(
  image: PulledImage,
  unpacker: RootfsUnpacker,
  destDir: string,
  signal?: AbortSignal,
) {
  const rootfs = path.join(destDir, "rootfs");
  await mkdir(rootfs);
  await unpacker.unpack(image, rootfs, signal);
  const config = z
    .object({ Env: z.array(z.string()).nullish(), User: z.string().nullish() })
    .safeParse(image.config.config ?? {});
  const env = config.success ? (config.data.Env ?? []) : [];
  const user = config.success ? (config.data.User ?? "") : "";
  await writeFile(path.join(destDir, "metadata.json"), JSON.stringify({ env, user }));
}

/** put: pushes the image to every tag (source tag, version, aliases, additional tags); answers the first. */
async function putImage(
  source: RegistryImageSource,
  params: PutParams,
  inputsDir: string,
  call: ResourceCall,
): Promise<VersionResult> {
  const input = await matchOne(inputsDir, params.image);
  const workDir = await mkdtemp(path.join(os.tmpdir(), "sluice-registry-image-put-"));
  try {
    const image = await readImageInput(input, workDir, `params.image "${params.image}"`, call.signal);
    return await withRepository(source.origin, async (repository) => {
      const tags = await tagsToPush(source, params, inputsDir, repository, call.signal);
      const { digest } = await pushImageTo(repository, image, tags, call.signal);
      const [tag = ""] = tags;
      return {
        version: { tag, digest },
        metadata: [
          { name: "repository", value: source.repository },
          { name: "tags", value: tags.join(" ") },
        ],
      };
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function tagsToPush(
  source: RegistryImageSource,
  params: PutParams,
  inputsDir: string,
  repository: Repository,
  signal?: AbortSignal,
): Promise<string[]> {
  const tags: string[] = source.tag !== undefined ? [source.tag] : [];
  if (params.version !== undefined) {
    const version = parseVersion(params.version);
    if (!version)
      throw new ResourceError(
        "InvalidConfig",
        `invalid params: version "${params.version}" is not a semantic version`,
      );
    tags.push(variantTag(formatVersion(version), source.variant));
    if (params.bump_aliases && version.prerelease.length === 0) {
      tags.push(...aliasesToBump(version, await existingTags(repository, signal), source.variant));
    }
  }
  const additional =
    params.additional_tags === undefined ? [] : await readTagsFile(inputsDir, params.additional_tags);
  if (params.tag_prefix !== undefined && additional.length === 0) {
    throw new ResourceError(
      "InvalidConfig",
      "invalid params: tag_prefix can only be used with additional_tags",
    );
  }
  tags.push(...additional.map((tag) => `${params.tag_prefix ?? ""}${tag}`));
  if (tags.length === 0) {
    throw new ResourceError(
      "InvalidConfig",
      "no tag to push: set source.tag, params.version or params.additional_tags",
    );
  }
  return [...new Set(tags)];
}

/** The version as the resource tags it: `v1.2` is pushed as `1.2.0`. */
function formatVersion(version: SemVer): string {
  const pre = version.prerelease.length > 0 ? `-${version.prerelease.join(".")}` : "";
  return `${version.major}.${version.minor}.${version.patch}${pre}`;
}

/** A repository that does not exist yet has no tags. */
async function existingTags(repository: Repository, signal?: AbortSignal): Promise<string[]> {
  try {
    return await repository.client.listTags(repository.name, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof RegistryError && error.code === "NAME_UNKNOWN") return [];
    throw error;
  }
}

export async function readTagsFile(inputsDir: string, relative: string): Promise<string[]> {
  const file = insideInputs(inputsDir, relative, "additional_tags");
  const text = await readFile(file, "utf8").catch(() => {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: additional_tags "${relative}" cannot be read from the build's inputs`,
    );
  });
  return text.split(/\s+/).filter((tag) => tag !== "");
}

/** The one path under the inputs the glob matches. */
async function matchOne(inputsDir: string, pattern: string): Promise<string> {
  insideInputs(inputsDir, pattern, "image");
  const matches: string[] = [];
  for await (const match of glob(pattern, { cwd: inputsDir })) matches.push(match);
  if (matches.length !== 1) {
    const found =
      matches.length === 0 ? "nothing" : `${matches.length} paths (${matches.slice(0, 5).join(", ")})`;
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: image "${pattern}" matches ${found}; it must match exactly one`,
    );
  }
  return insideInputs(inputsDir, matches[0] ?? "", "image");
}

export function insideInputs(inputsDir: string, relative: string, field: string): string {
  const root = path.resolve(inputsDir);
  const full = path.resolve(root, relative);
  if (!full.startsWith(root + path.sep)) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: ${field} "${relative}" is outside the build's inputs`,
    );
  }
  return full;
}
