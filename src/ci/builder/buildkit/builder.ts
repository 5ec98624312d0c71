/**
 * Builds through BuildKit: `buildctl` against the shared daemon, its progress streamed into the
 * caller's log, registry credentials handed over in a private docker config file, the result's
 * digest read from buildctl's metadata file.
 */
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { Credentials } from "../../../oci/auth.ts";
import { describeProcessFailure, ProcessError, runProcess } from "../../../process/run.ts";
import { checkBuildContext } from "../context-check.ts";
import {
  ImageBuildError,
  type ImageBuilder,
  type ImageBuildRequest,
  type ImageBuildResult,
  type ImageOutput,
} from "../image-builder.ts";
import { guardDisk } from "../../../common/disk-guard.ts";
import { extractRootfs } from "./extract-rootfs.ts";
import { buildctlArgs } from "./buildctl-args.ts";
import type { BuildkitDaemon } from "./daemon.ts";

const BuildMetadata = z.looseObject({
  "containerimage.digest": z.string().optional(),
  "containerimage.config.digest": z.string().optional(),
});

const defaultTimeoutMs = 60 * 60 * 1000;

/** Docker Hub's credentials are keyed by its legacy index address in a docker config. */
const dockerConfigKey = (registry: string): string =>
  registry === "docker.io" ? "https://index.docker.io/v1/" : registry;

function dockerConfig(auth: ReadonlyMap<string, Credentials>): string {
  const auths: Record<string, { auth: string }> = {};
  for (const [registry, { username, password }] of auth) {
    auths[dockerConfigKey(registry)] = { auth: Buffer.from(`${username}:${password}`).toString("base64") };
  }
  return JSON.stringify({ auths });
}

/**
 * The failure as BuildKit words it, without the progress log around it:
 * `Dockerfile:3: dockerfile parse error on line 3: unknown instruction: FORM`.
 */
function buildFailure(error: ProcessError): ImageBuildError {
  if (error.failure !== "exit")
    return new ImageBuildError(`the image build ${describeProcessFailure(error.failure, null)}`);
  const lines = error.stderr.split("\n").map((line) => line.trim());
  const causes = lines
    .filter((line) => /^(ERROR|error):/.test(line))
    .map((line) => line.replace(/^(ERROR|error):\s*/, "").replace(/^failed to solve:\s*/, ""));
  const where = lines.find((line) => /^Dockerfile:\d+$/.test(line));
  const cause = causes.at(-1) ?? lines.filter(Boolean).at(-1) ?? error.message;
  return new ImageBuildError(where ? `${where}: ${cause}` : cause);
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

export class BuildkitImageBuilder implements ImageBuilder {
  readonly #daemon: BuildkitDaemon;
  readonly #buildctl: string;
  readonly #stateDir: string;
  readonly #minFreeBytes: number;

  /** A build stops when the disk holding `stateDir` has less than `minFreeBytes` free (default 1 GiB). */
  constructor(options: {
    daemon: BuildkitDaemon;
    buildctl: string;
    stateDir: string;
    minFreeBytes?: number | undefined;
  }) {
    this.#daemon = options.daemon;
    this.#buildctl = options.buildctl;
    this.#stateDir = options.stateDir;
    this.#minFreeBytes = options.minFreeBytes ?? 1024 ** 3;
  }

  async build(request: ImageBuildRequest): Promise<ImageBuildResult> {
    const dockerfile = request.dockerfile ?? path.join(request.contextDir, "Dockerfile");
    await checkBuildContext(request.contextDir, dockerfile);
    const address = await this.#daemon.address();
    const privateDir = await mkdtemp(path.join(os.tmpdir(), "sluice-build-"));
    try {
      const metadataFile = path.join(privateDir, "metadata.json");
      await writeFile(path.join(privateDir, "config.json"), dockerConfig(request.registryAuth ?? new Map()), {
        mode: 0o600,
      });
      const importCache =
        request.cacheDir !== undefined && (await exists(path.join(request.cacheDir, "index.json")));
      // root filesystems travel as tar files (extract-rootfs.ts)
      const outputs = request.outputs.map((output, i): ImageOutput =>
        output.kind === "rootfs"
          ? { kind: "filesystem-tar", file: path.join(privateDir, `rootfs-${i}.tar`) }
          : output,
      );
      const args = buildctlArgs(address, { ...request, dockerfile, outputs }, { metadataFile, importCache });
      const disk = guardDisk(this.#stateDir, this.#minFreeBytes, {
        what: "the build",
        owner: "the builder's",
      });
      try {
        await runProcess(this.#buildctl, args, {
          env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: privateDir, DOCKER_CONFIG: privateDir },
          timeoutMs: request.timeoutMs ?? defaultTimeoutMs,
          signal: request.signal ? AbortSignal.any([request.signal, disk.signal]) : disk.signal,
          onLine: request.log && (({ line }) => request.log?.(line)),
        });
      } catch (error) {
        const full = disk.reason();
        if (full) throw new ImageBuildError(full);
        throw error instanceof ProcessError ? buildFailure(error) : error;
      } finally {
        disk.stop();
      }
      for (const [i, output] of request.outputs.entries()) {
        if (output.kind !== "rootfs") continue;
        const tarFile = path.join(privateDir, `rootfs-${i}.tar`);
        await mkdir(output.dir, { recursive: true });
        await extractRootfs(tarFile, output.dir, request.signal);
        await rm(tarFile, { force: true });
      }
      const text = await readFile(metadataFile, "utf8").catch(() => "{}");
      const metadata = BuildMetadata.parse(JSON.parse(text));
      const digest = metadata["containerimage.digest"];
      const wantsImage = request.outputs.some(
        (output) => output.kind !== "rootfs" && output.kind !== "filesystem-tar",
      );
      if (wantsImage && !digest) throw new ImageBuildError("the image builder reported no image digest");
      return { digest, configDigest: metadata["containerimage.config.digest"] };
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  }

  close(): Promise<void> {
    return this.#daemon.close();
  }
}
