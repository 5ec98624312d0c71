/**
 * The `docker-image` resource's put, as concourse/docker-image-resource does it — build the
 * `build` directory's Dockerfile and push it — with Sluice's daemonless builder: params `build`,
 * `dockerfile`, `build_args`, `build_args_file`, `tag_file`, `tag_prefix`, `tag_as_latest`,
 * `additional_tags`, `target_name`, `labels`, `labels_file`; `cache_from` is accepted (the
 * builder keeps its own layer cache). The version is the pushed manifest's `{digest}`.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ImageBuildError, type ImageBuilder } from "../../builder/image-builder.ts";
import { parseConfig, ResourceError, type ResourceCall, type VersionResult } from "../resource.ts";
import { insideInputs, readTagsFile } from "./resource.ts";
import type { RegistryImageSource } from "./source.ts";

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const putParamsSchema = z.object({
  build: z.string().min(1).optional(),
  dockerfile: z.string().min(1).optional(),
  build_args: stringMap.default({}),
  build_args_file: z.string().min(1).optional(),
  tag_file: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  tag_prefix: z.string().default(""),
  tag_as_latest: z.boolean().default(false),
  additional_tags: z.string().min(1).optional(),
  target_name: z.string().min(1).optional(),
  labels: stringMap.default({}),
  labels_file: z.string().min(1).optional(),
  cache_from: z.array(z.string()).optional(),
  load: z.string().optional(),
  load_file: z.string().optional(),
  import_file: z.string().optional(),
});
type PutParams = z.output<typeof putParamsSchema>;

/** A JSON object of strings in a file of the inputs (`build_args_file`, `labels_file`). */
async function readStringMap(inputsDir: string, relative: string | undefined, field: string) {
  if (relative === undefined) return {};
  const text = await readFile(insideInputs(inputsDir, relative, field), "utf8").catch(() => {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: ${field} "${relative}" cannot be read from the build's inputs`,
    );
  });
  const parsed = stringMap.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: ${field} "${relative}" must hold a JSON object of strings`,
    );
  }
  return parsed.data;
}

async function tagsOf(source: RegistryImageSource, params: PutParams, inputsDir: string): Promise<string[]> {
  const tagFile = params.tag_file ?? params.tag;
  const named = tagFile === undefined ? [] : (await readTagsFile(inputsDir, tagFile)).slice(0, 1);
  const tags = named.length > 0 ? named.map((tag) => `${params.tag_prefix}${tag}`) : [source.tag ?? "latest"];
  if (params.tag_as_latest) tags.push("latest");
  if (params.additional_tags !== undefined)
    tags.push(...(await readTagsFile(inputsDir, params.additional_tags)));
  return [...new Set(tags)];
}

export async function buildAndPushDockerImage(
  builder: ImageBuilder | undefined,
  source: RegistryImageSource,
  rawParams: unknown,
  inputsDir: string,
  call: ResourceCall & { log?: (line: string) => void },
): Promise<VersionResult> {
  const params = parseConfig(putParamsSchema, rawParams, "params");
  const preBuilt = params.load ?? params.load_file ?? params.import_file;
  if (preBuilt !== undefined) {
    throw new ResourceError(
      "InvalidConfig",
      "load, load_file and import_file are not supported: push a saved image with registry-image's put (params.image)",
    );
  }
  if (params.build === undefined)
    throw new ResourceError("InvalidConfig", "invalid params: build (the directory to build) is required");
  if (!builder) throw new ResourceError("Failed", "this engine has no image builder");
  const contextDir = insideInputs(inputsDir, params.build, "build");
  const dockerfile = insideInputs(
    inputsDir,
    params.dockerfile ?? path.join(params.build, "Dockerfile"),
    "dockerfile",
  );
  const { registry, repository: name } = source.origin.location;
  const repository = `${registry}/${name}`;
  const tags = await tagsOf(source, params, inputsDir);
  const credentials = source.origin.credentials;
  try {
    const { digest } = await builder.build({
      contextDir,
      dockerfile,
      target: params.target_name,
      buildArgs: {
        ...(await readStringMap(inputsDir, params.build_args_file, "build_args_file")),
        ...params.build_args,
      },
      labels: { ...(await readStringMap(inputsDir, params.labels_file, "labels_file")), ...params.labels },
      outputs: [{ kind: "push", refs: tags.map((tag) => `${repository}:${tag}`) }],
      registryAuth: credentials && new Map([[source.origin.location.registry, credentials]]),
      signal: call.signal,
      log: call.log,
    });
    if (!digest) throw new ResourceError("Failed", "the image builder pushed no image");
    return {
      version: { digest },
      metadata: [
        { name: "repository", value: source.repository },
        { name: "tags", value: tags.join(" ") },
      ],
    };
  } catch (error) {
    if (error instanceof ImageBuildError) throw new ResourceError("Failed", error.message);
    throw error;
  }
}
