/** The `buildctl build` command line for a request: options only, never a credential. */
import path from "node:path";
import type { ImageBuildRequest, ImageOutput } from "../image-builder.ts";

/** One CSV field as buildctl's `--output`/`--import-cache` parse them. */
const csvField = (text: string): string => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

const csv = (fields: Readonly<Record<string, string>>): string =>
  Object.entries(fields)
    .map(([key, value]) => csvField(`${key}=${value}`))
    .join(",");

function outputArg(output: ImageOutput): string {
  switch (output.kind) {
    case "docker-tarball":
      return csv({ type: "docker", dest: output.file, name: output.name });
    case "oci-tarball":
      return csv({ type: "oci", dest: output.file });
    case "oci-layout":
      return csv({ type: "oci", dest: output.dir, tar: "false" });
    case "push":
      return csv({ type: "image", name: output.refs.join(","), push: "true" });
    case "rootfs":
      return csv({ type: "local", dest: output.dir });
    case "filesystem-tar":
      return csv({ type: "tar", dest: output.file });
  }
}

export function buildctlArgs(
  address: string,
  request: ImageBuildRequest,
  options: {
    metadataFile: string;
    /** false until the cache directory holds an export */ importCache: boolean;
  },
): string[] {
  const dockerfile = request.dockerfile ?? path.join(request.contextDir, "Dockerfile");
  const args = [
    "--addr",
    address,
    "build",
    "--progress",
    "plain",
    "--frontend",
    "dockerfile.v0",
    "--local",
    `context=${request.contextDir}`,
    "--local",
    `dockerfile=${path.dirname(dockerfile)}`,
    "--opt",
    `filename=${path.basename(dockerfile)}`,
    "--metadata-file",
    options.metadataFile,
  ];
  if (request.target) args.push("--opt", `target=${request.target}`);
  for (const [name, layout] of Object.entries(request.baseLayouts ?? {})) {
    args.push(
      "--oci-layout",
      `${name}=${layout.dir}`,
      "--opt",
      `context:${name}=oci-layout://${name}@${layout.digest}`,
    );
  }
  for (const [name, value] of Object.entries(request.buildArgs ?? {})) {
    args.push("--opt", `build-arg:${name}=${value}`);
  }
  for (const [name, value] of Object.entries(request.labels ?? {})) {
    args.push("--opt", `label:${name}=${value}`);
  }
  if (request.cacheDir) {
    if (options.importCache) args.push("--import-cache", csv({ type: "local", src: request.cacheDir }));
    args.push("--export-cache", csv({ type: "local", dest: request.cacheDir, mode: "max" }));
  }
  for (const output of request.outputs) args.push("--output", outputArg(output));
  return args;
}
