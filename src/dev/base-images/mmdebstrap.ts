import path from "node:path";
import { fileURLToPath } from "node:url";
import { systemBinary, upstreamBinary } from "../../common/toolchain.ts";
import { inheritedEnv, runProcess } from "../../process/run.ts";
import { debianSources, debianSuite, sourceDateEpoch, type BaseImageRecipe } from "./recipes.ts";

export const customizeHook = path.join(path.dirname(fileURLToPath(import.meta.url)), "customize.sh");
const hookDirs = "/usr/share/mmdebstrap/hooks";

/** Documentation, manuals and translations are left out, as Debian's own -slim images do. */
const slimDpkgOptions = [
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/info/*",
  "path-exclude=/usr/share/locale/*",
];

export interface RootfsOutput {
  /** The root filesystem as one tar (sorted names, numeric owners, times clamped to SOURCE_DATE_EPOCH). */
  tar: string;
  /** Written by the hook: one `package=version` line per recipe package. */
  versions: string;
}

/**
 * mmdebstrap's arguments for a recipe. A minbase root is set up with merged /usr from the start
 * (mmdebstrap's merged-usr hook: no usrmerge package, so no perl beyond perl-base); a busybox root
 * is busybox-static extracted, its applets linked, and no package manager left.
 */
export function mmdebstrapArgs(recipe: BaseImageRecipe, output: RootfsOutput): string[] {
  const busybox = recipe.kind === "busybox";
  return [
    `--variant=${busybox ? "extract" : "minbase"}`,
    "--format=tar",
    "--skip=output/dev",
    '--aptopt=Apt::Install-Recommends "false"',
    `--hook-dir=${hookDirs}/merged-usr`,
    // the busybox root's package manager files are removed whole by the hook, not cleaned
    ...(busybox ? [`--hook-dir=${hookDirs}/busybox`, "--skip=cleanup/apt,cleanup/mmdebstrap"] : []),
    ...(busybox ? [] : slimDpkgOptions.map((o) => `--dpkgopt=${o}`)),
    // the root is thrown away once it is a tar: dpkg's fsyncs buy nothing
    "--dpkgopt=force-unsafe-io",
    ...(recipe.packages.length > 0 ? [`--include=${recipe.packages.join(",")}`] : []),
    // mmdebstrap runs no customize hooks for the extract variant
    `--${busybox ? "extract" : "customize"}-hook=sh ${customizeHook} "$1"`,
    debianSuite,
    output.tar,
    ...debianSources,
  ];
}

/** The hook's instructions (see customize.sh): passed through the environment, never quoted into a shell line. */
async function hookEnvironment(
  recipe: BaseImageRecipe,
  output: RootfsOutput,
): Promise<Record<string, string>> {
  return {
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    SLUICE_VERSIONS_FILE: output.versions,
    SLUICE_PACKAGES: [...recipe.packages, ...(recipe.fromDeb ? [recipe.fromDeb.package] : [])].join(" "),
    SLUICE_FROM_DEB: recipe.fromDeb ? `${recipe.fromDeb.package}:${recipe.fromDeb.file}` : "",
    SLUICE_ADD_BINARY: recipe.upstream ? await upstreamBinary(recipe.upstream) : "",
    SLUICE_TRIM: recipe.kind === "busybox" ? "yes" : "",
  };
}

const buildTimeoutMs = 30 * 60_000;

/** Builds the recipe's root filesystem tar with mmdebstrap (as root, or in a user namespace otherwise). */
export async function buildRootfs(
  recipe: BaseImageRecipe,
  output: RootfsOutput,
  options: { signal?: AbortSignal; onLine?: (line: string) => void } = {},
): Promise<void> {
  const mmdebstrap = await systemBinary("mmdebstrap");
  await runProcess(mmdebstrap, mmdebstrapArgs(recipe, output), {
    env: inheritedEnv(await hookEnvironment(recipe, output)),
    timeoutMs: buildTimeoutMs,
    signal: options.signal,
    onLine: options.onLine && ((l) => options.onLine?.(l.line)),
  });
}
