/**
 * Builds each base image once and caches it by a key of everything that shapes it, as
 * scripts/build-upstream.sh caches binaries by version: `$SLUICE_CACHE/images/<name>-<key>/` is an
 * OCI image layout plus `build.json`. A directory that exists is complete (it is renamed into place).
 */
import { createHash } from "node:crypto";
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { SluiceError } from "../../common/errors.ts";
import { cacheDir, upstreamBinary } from "../../common/toolchain.ts";
import { buildRootfs, customizeHook, mmdebstrapArgs } from "./mmdebstrap.ts";
import { readImageLayout, writeImageLayout, type LayoutImage } from "./oci-layout.ts";
import { debianSuite, recipeVersion, sourceDateEpoch, type BaseImageRecipe } from "./recipes.ts";

export const BuildRecord = z.object({
  seconds: z.number(),
  rootfsBytes: z.number().int(),
  layerBytes: z.number().int(),
  /** package → Debian version */
  packages: z.record(z.string(), z.string()),
});
export type BuildRecord = z.infer<typeof BuildRecord>;

export interface BaseImage {
  recipe: BaseImageRecipe;
  key: string;
  dir: string;
  layout: LayoutImage;
  build: BuildRecord;
  /** false when this call built it */
  cached: boolean;
}

export interface BuildOptions {
  /** default `$SLUICE_CACHE/images` */
  root?: string;
  signal?: AbortSignal;
  /** mmdebstrap's output, line by line */
  onLine?: (line: string) => void;
}

export const imagesCacheDir = (): string => path.join(cacheDir(), "images");

const labelPrefix = "dev.sluice.base-image";

/**
 * 12 hex digits of a hash over what shapes the image: the recipe (not its mirror names, which are
 * only pushed), mmdebstrap's arguments, the hook's text and the upstream binary's version.
 */
export async function recipeKey(recipe: BaseImageRecipe): Promise<string> {
  const { mirrors: _names, description: _text, ...shape } = recipe;
  const upstream = recipe.upstream && path.basename(path.dirname(await upstreamBinary(recipe.upstream)));
  // the hook's path differs per checkout; its text is hashed instead, so checkouts share the cache
  const args = mmdebstrapArgs(recipe, { tar: "OUT", versions: "OUT" }).map((arg) =>
    arg.replaceAll(customizeHook, "HOOK"),
  );
  const hook = await readFile(customizeHook, "utf8");
  const inputs = { recipeVersion, sourceDateEpoch, shape, upstream, args, hook };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 12);
}

/** The cached image of the recipe, built first when the cache has none for its key. */
export async function ensureBaseImage(
  recipe: BaseImageRecipe,
  options: BuildOptions = {},
): Promise<BaseImage> {
  const key = await recipeKey(recipe);
  const root = options.root ?? imagesCacheDir();
  const dir = path.join(root, `${recipe.name}-${key}`);
  if (await exists(dir)) return { ...(await cachedImage(recipe, key, dir)), cached: true };
  await build(recipe, key, dir, options);
  await removeOtherKeys(root, recipe.name, key);
  return { ...(await cachedImage(recipe, key, dir)), cached: false };
}

async function cachedImage(
  recipe: BaseImageRecipe,
  key: string,
  dir: string,
): Promise<Omit<BaseImage, "cached">> {
  try {
    const record = BuildRecord.parse(JSON.parse(await readFile(path.join(dir, "build.json"), "utf8")));
    return { recipe, key, dir, layout: await readImageLayout(dir), build: record };
  } catch (error) {
    throw new SluiceError(`the cached base image in ${dir} is damaged: ${(error as Error).message}`, {
      hint: `delete ${dir} and run 'scripts/build-images.sh' again`,
      cause: error,
    });
  }
}

async function build(
  recipe: BaseImageRecipe,
  key: string,
  dir: string,
  options: BuildOptions,
): Promise<void> {
  const started = Date.now();
  // one partial directory per process: two test processes may build the same image at once
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const output = { tar: path.join(partial, "rootfs.tar"), versions: path.join(partial, "packages.txt") };
  try {
    await buildRootfs(recipe, output, options);
    const packages = parseVersions(await readFile(output.versions, "utf8"));
    const layout = await writeImageLayout(partial, {
      rootfsTar: output.tar,
      leadingDirectories: ["dev"],
      created: new Date(sourceDateEpoch * 1000).toISOString(),
      env: recipe.env,
      cmd: recipe.cmd,
      labels: labels(recipe, key, packages),
      refName: recipe.name,
      createdBy: `sluice base image ${recipe.name}-${key}: mmdebstrap ${debianSuite}`,
    });
    const record: BuildRecord = {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      rootfsBytes: (await stat(output.tar)).size,
      layerBytes: layout.layers[0]!.size,
      packages,
    };
    await rm(output.tar);
    await rm(output.versions);
    await writeFile(path.join(partial, "build.json"), JSON.stringify(record, null, 2) + "\n");
    await renameUnlessPresent(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw new SluiceError(`building base image ${recipe.name} failed: ${(error as Error).message}`, {
      hint: "mmdebstrap needs root (or unprivileged user namespaces) and access to deb.debian.org",
      cause: error,
    });
  }
}

function labels(
  recipe: BaseImageRecipe,
  key: string,
  packages: Record<string, string>,
): Record<string, string> {
  const upstream = recipe.upstream ? { [`${labelPrefix}.upstream`]: recipe.upstream } : {};
  return {
    "org.opencontainers.image.title": recipe.name,
    "org.opencontainers.image.description": recipe.description,
    [`${labelPrefix}.recipe`]: `${recipe.name}-${key}`,
    [`${labelPrefix}.debian-suite`]: debianSuite,
    [`${labelPrefix}.packages`]: Object.entries(packages)
      .map(([name, version]) => `${name}=${version}`)
      .join(" "),
    ...upstream,
  };
}

function parseVersions(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^([a-z0-9][a-z0-9+.-]*)=(\S+)$/.exec(line);
      if (!match) throw new Error(`the build hook wrote an unexpected package line ${JSON.stringify(line)}`);
      return [match[1]!, match[2]!] as const;
    });
  return Object.fromEntries(entries);
}

/** Moves the finished build into place; when another process got there first, its build stays. */
async function renameUnlessPresent(partial: string, dir: string): Promise<void> {
  try {
    await rename(partial, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== "ENOTEMPTY" && code !== "EEXIST") || !(await exists(dir))) throw error;
    await rm(partial, { recursive: true, force: true });
  }
}

/**
 * Earlier builds of the same image are not used any more; disk is not free. A partial build of
 * another process still running (a second `make` started at the same time) is left to it.
 */
async function removeOtherKeys(root: string, name: string, key: string): Promise<void> {
  const pattern = new RegExp(`^${name}-[0-9a-f]{12}(?:\\.partial-([0-9]+))?$`);
  for (const entry of await readdir(root)) {
    const match = pattern.exec(entry);
    if (!match || entry === `${name}-${key}`) continue;
    if (match[1] !== undefined && isRunning(Number(match[1]))) continue;
    await rm(path.join(root, entry), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
