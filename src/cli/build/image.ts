/**
 * `sluice build image -t REF [-f Dockerfile] [--build-arg K=V] [--target T] [--label K=V]
 * [--push] [--output FILE.tar] [--oci] [--registry-mirror HOST=MIRROR] DIR`: a Dockerfile built
 * on this machine with no Docker engine, by the same builder the CI engine uses. Push credentials
 * come from the docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import {
  createImageBuilder,
  defaultBuilderStateDir,
  ImageBuildError,
  type ImageOutput,
} from "../../ci/builder/index.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import type { Credentials } from "../../oci/auth.ts";
import { DockerConfigError, parseDockerConfig } from "../../oci/docker-config.ts";
import { parseRegistryMirror, RegistryMirrors } from "../../oci/mirrors.ts";
import { parseImageReference } from "../../oci/reference.ts";

interface ImageFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  label: string[];
  target?: string;
  push: boolean;
  output?: string;
  oci: boolean;
  registryMirror: string[];
  cacheDir?: string;
}

const usage = (message: string): SluiceError => new SluiceError(message, { exitCode: ExitCode.usage });
const collect = (value: string, all: string[]): string[] => [...all, value];

function assignments(values: readonly string[], flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    if (equals <= 0) throw usage(`${flag} ${JSON.stringify(value)}: expected NAME=VALUE`);
    result[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return result;
}

function checkedTag(tag: string): string {
  try {
    parseImageReference(tag);
    return tag;
  } catch (error) {
    throw usage(`--tag ${JSON.stringify(tag)}: ${(error as Error).message}`);
  }
}

/** The docker config's credentials, as `docker login` left them; none when there is no file. */
async function dockerLogins(): Promise<ReadonlyMap<string, Credentials>> {
  const dir = process.env["DOCKER_CONFIG"] ?? path.join(os.homedir(), ".docker");
  const file = path.join(dir, "config.json");
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return new Map();
  try {
    return parseDockerConfig(text).registries;
  } catch (error) {
    if (error instanceof DockerConfigError) throw new SluiceError(`${file}: ${error.message}`);
    throw error;
  }
}

function outputsOf(flags: ImageFlags, tags: readonly string[]): ImageOutput[] {
  const outputs: ImageOutput[] = [];
  if (flags.push) {
    if (tags.length === 0) throw usage("--push needs at least one --tag");
    outputs.push({ kind: "push", refs: [...tags] });
  }
  if (flags.output) {
    const file = path.resolve(flags.output);
    outputs.push(
      flags.oci ? { kind: "oci-tarball", file } : { kind: "docker-tarball", file, name: tags[0] ?? "image" },
    );
  }
  return outputs;
}

async function buildImage(dir: string, flags: ImageFlags): Promise<void> {
  const tags = flags.tag.map(checkedTag);
  const outputs = outputsOf(flags, tags);
  const mirrors = new RegistryMirrors(
    flags.registryMirror.map((text) => {
      try {
        return parseRegistryMirror(text);
      } catch (error) {
        throw usage(`--registry-mirror: ${(error as Error).message}`);
      }
    }),
  );
  const builder = createImageBuilder({
    stateDir: flags.cacheDir ?? defaultBuilderStateDir(),
    mirrors,
  });
  try {
    const result = await builder.build({
      contextDir: path.resolve(dir),
      dockerfile: flags.file && path.resolve(flags.file),
      target: flags.target,
      buildArgs: assignments(flags.buildArg, "--build-arg"),
      labels: assignments(flags.label, "--label"),
      outputs,
      registryAuth: await dockerLogins(),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (result.digest) process.stdout.write(`${result.digest}\n`);
  } catch (error) {
    if (error instanceof ImageBuildError) throw new SluiceError(error.message);
    throw error;
  } finally {
    await builder.close();
  }
}

export function registerImageBuild(build: Command): void {
  build
    .command("image")
    .description(
      "build a Dockerfile into an image with no Docker engine (BuildKit, started for this run); prints the manifest digest when it makes an image",
    )
    .argument("<dir>", "the build context")
    .option("-t, --tag <ref>", "name the image (repeatable); --push pushes every tag", collect, [])
    .option("-f, --file <dockerfile>", "the Dockerfile (default: DIR/Dockerfile)")
    .option("--build-arg <name=value>", "a build argument (repeatable)", collect, [])
    .option("--label <name=value>", "a label on the image (repeatable)", collect, [])
    .option("--target <stage>", "build this stage of a multi-stage Dockerfile")
    .option("--push", "push the image to every --tag (credentials from the docker config)", false)
    .option("--output <file.tar>", "write the image as a tarball (docker format, `docker load`-able)")
    .option("--oci", "write --output as an OCI image layout tarball instead", false)
    .option(
      "--registry-mirror <host=mirror>",
      "read FROM images of HOST from MIRROR (host[:port][/prefix]) (repeatable)",
      collect,
      [],
    )
    .option("--cache-dir <dir>", "the builder's state and layer cache (default: ~/.cache/sluice/builder)")
    .action(buildImage);
}
