/**
 * Sluice's own container image, built by Sluice's image builder: the pinned Node.js, the
 * project's sources and production npm packages, git (the git base image), and the pinned
 * kustomize where the toolchain looks for it. It runs as nobody (65534) and needs no writable
 * root filesystem (HOME and TMPDIR are /tmp, a volume in the install manifests).
 *
 * The build context is staged from this checkout: nothing outside the listed paths reaches the
 * image (no tests, no environment state, no dev dependencies). `src/dev/` is kept: the CLI's
 * `dev` group imports it.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  createImageBuilder,
  defaultBuilderStateDir,
  type ImageBuilder,
  type ImageOutput,
} from "../ci/builder/index.ts";
import { defaultImage } from "../install/manifests.ts";
import { sluiceVersion } from "../install/version.ts";
import { RegistryMirrors } from "../oci/mirrors.ts";
import { formatImageReference, parseImageReference } from "../oci/reference.ts";
import type { DevEnv } from "./env-file.ts";
import { pinnedVersions, projectRoot, upstreamBinary } from "../common/toolchain.ts";
import { runProcess } from "../process/run.ts";

/** Where the image keeps the toolchain cache (`SLUICE_CACHE`): the pinned binaries Sluice runs. */
const imageCache = "/opt/sluice/cache";
const appDir = "/app";

/** The production packages' directories, as npm resolves them (no dev dependencies). */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await runProcess("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
    cwd: projectRoot,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: os.homedir() },
    timeoutMs: 60_000,
  });
  return stdout
    .split("\n")
    .filter((dir) => dir.startsWith(path.join(projectRoot, "node_modules") + path.sep));
}

function dockerfile(kustomizeVersion: string): string {
  return [
    "FROM alpine/git:latest",
    `ENV SLUICE_CACHE=${imageCache} HOME=/tmp TMPDIR=/tmp NODE_OPTIONS=--disable-warning=ExperimentalWarning`,
    "COPY node /usr/local/bin/node",
    `COPY kustomize ${imageCache}/upstream/kustomize-${kustomizeVersion}/kustomize`,
    `COPY app ${appDir}`,
    'LABEL org.opencontainers.image.title="sluice" org.opencontainers.image.source="https://github.com/sluice/sluice"',
    "USER 65534:65534",
    `WORKDIR /tmp`,
    `ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=2", "${appDir}/src/cli/main.ts"]`,
    'CMD ["server"]',
    "",
  ].join("\n");
}

const isTestFile = (file: string): boolean => /\.test(-support)?\.ts$/.test(file);

/** Writes the build context into `stageDir` (empty). */
export async function stageSluiceImage(stageDir: string): Promise<void> {
  const pins = await pinnedVersions();
  const kustomizeVersion = pins["KUSTOMIZE_VERSION"];
  if (!kustomizeVersion) throw new Error("scripts/versions.sh has no KUSTOMIZE_VERSION");
  const app = path.join(stageDir, "app");
  await mkdir(path.join(app, "scripts"), { recursive: true });
  for (const file of ["package.json", "bin", "scripts/versions.sh"]) {
    await cp(path.join(projectRoot, file), path.join(app, file), { recursive: true });
  }
  await cp(path.join(projectRoot, "src"), path.join(app, "src"), {
    recursive: true,
    filter: (source) => !isTestFile(source),
  });
  // the web UI's build (make setup builds it); the server answers 503 without it
  await cp(path.join(projectRoot, "ui/dist"), path.join(app, "ui/dist"), { recursive: true }).catch(
    () => undefined,
  );
  for (const dir of await productionPackages()) {
    await cp(dir, path.join(app, path.relative(projectRoot, dir)), { recursive: true });
  }
  await cp(process.execPath, path.join(stageDir, "node"));
  await cp(await upstreamBinary("kustomize"), path.join(stageDir, "kustomize"));
  await writeFile(path.join(stageDir, "Dockerfile"), dockerfile(kustomizeVersion));
}

/** Builds the image from this checkout into `outputs` (pushes, tarballs) and answers its digest. */
export async function buildSluiceImage(
  builder: ImageBuilder,
  outputs: readonly ImageOutput[],
  options: {
    log?: (line: string) => void;
    registryAuth?: Parameters<ImageBuilder["build"]>[0]["registryAuth"];
  } = {},
): Promise<string | undefined> {
  const stageDir = await mkdtemp(path.join(os.tmpdir(), "sluice-image-"));
  try {
    await stageSluiceImage(stageDir);
    const result = await builder.build({ contextDir: stageDir, outputs, ...options });
    return result.digest;
  } finally {
    await rm(stageDir, { recursive: true, force: true });
  }
}

/**
 * Builds Sluice's image and pushes it to the environment's registry as `sluice/sluice:vX` and
 * under the mirror name of the install manifests' default image, so a node whose container
 * runtime mirrors ghcr.io through the environment pulls `sluice install`'s default. Needs the
 * base images in the registry (`dev up --images`).
 */
export async function pushSluiceImage(
  env: DevEnv & { imageMirror: string },
  options: { log?: (line: string) => void } = {},
): Promise<{ digest: string; refs: string[] }> {
  const version = await sluiceVersion();
  const mirrors = RegistryMirrors.parse([
    `docker.io=${env.imageMirror}/docker.io`,
    `ghcr.io=${env.imageMirror}/ghcr.io`,
  ]);
  const refs = [
    `${env.registry}/sluice/sluice:v${version}`,
    formatImageReference(mirrors.apply(parseImageReference(defaultImage(version)))),
  ];
  const builder = createImageBuilder({ stateDir: defaultBuilderStateDir(), mirrors });
  const registryAuth =
    env.registryUsername && env.registryPassword
      ? new Map([[env.registry, { username: env.registryUsername, password: env.registryPassword }]])
      : undefined;
  try {
    const digest = await buildSluiceImage(builder, [{ kind: "push", refs }], { ...options, registryAuth });
    if (!digest) throw new Error("the image builder pushed no image");
    return { digest, refs };
  } finally {
    await builder.close();
  }
}
