import { readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { KustomizeError, UnsupportedKustomizationError } from "./errors.ts";
import { findKustomizationFile, kustomizationFileNames } from "./kustomization-file.ts";
import { isRemoteUrl } from "./references.ts";
import { isPlainObject, parseYaml, parseYamlDocuments, stringifyYaml, yamlData } from "./yaml.ts";

export interface PatchSelector {
  group?: string | undefined;
  version?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  annotationSelector?: string | undefined;
}

export interface PatchSpec {
  patch: string;
  target?: PatchSelector | undefined;
}

export interface ImageSpec {
  name: string;
  newName?: string | undefined;
  newTag?: string | undefined;
  digest?: string | undefined;
}

/** The Kustomization fields Flux writes into the kustomization file before building. */
export interface KustomizeSettings {
  targetNamespace?: string | undefined;
  namePrefix?: string | undefined;
  nameSuffix?: string | undefined;
  patches?: readonly PatchSpec[] | undefined;
  images?: readonly ImageSpec[] | undefined;
  components?: readonly string[] | undefined;
  /** Leave out components whose directory does not exist instead of failing the build. */
  ignoreMissingComponents?: boolean | undefined;
}

/**
 * Makes `dir` buildable the way kustomize-controller does: generates a kustomization.yaml when
 * there is none, then writes the Kustomization's settings into it (namespace, name prefix and
 * suffix replace the file's; patches and components are appended; an image replaces the file's
 * entry of the same name or is appended). Edits the workspace copy only.
 */
export async function prepareKustomization(
  dir: string,
  settings: KustomizeSettings,
): Promise<{ file: string; generated: boolean }> {
  const existing = await findKustomizationFile(dir);
  const file = existing ?? (await generateKustomization(dir));
  await applySettings(file, settings, dir);
  return { file, generated: existing === undefined };
}

/** Writes a kustomization.yaml listing the manifests below `dir` (see {@link listManifestResources}). */
export async function generateKustomization(dir: string): Promise<string> {
  const file = path.join(dir, kustomizationFileNames[0]);
  const resources = await listManifestResources(dir);
  await replaceFile(file, {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources,
  });
  return file;
}

const manifestExtensions = new Set([".yaml", ".yml", ".json"]);

/**
 * Resources for a generated kustomization, in walk order (names sorted): every Kubernetes manifest
 * file below `dir`, and in place of its files each subdirectory that has its own kustomization.
 * Symlinked directories are not followed. A YAML file none of whose documents has an apiVersion
 * and a kind is skipped; one that does not parse is kept, so that kustomize reports the error.
 */
export async function listManifestResources(dir: string): Promise<string[]> {
  const resources: string[] = [];
  await collectResources(dir, dir, resources);
  return resources;
}

async function collectResources(base: string, dir: string, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compare(a.name, b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if ((await findKustomizationFile(full)) !== undefined) out.push(resourcePath(base, full));
      else await collectResources(base, full, out);
    } else if (entry.isFile() && manifestExtensions.has(path.extname(entry.name))) {
      if (isManifestText(await readFile(full, "utf8"), entry.name)) out.push(resourcePath(base, full));
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resourcePath(base: string, file: string): string {
  return `./${path.relative(base, file).split(path.sep).join("/")}`;
}

/**
 * Whether a file belongs in a generated kustomization: some document is an object with an
 * apiVersion or a kind (one missing the other is a broken manifest, for kustomize to name, not a
 * file to leave out). Unparseable YAML counts (kustomize will name the error); unparseable
 * JSON does not, as Flux never lists JSON files and they are often not manifests at all.
 */
export function isManifestText(text: string, fileName: string): boolean {
  const unparseable = !fileName.endsWith(".json");
  let values: unknown[];
  try {
    const what = `file ${fileName}`;
    const documents = parseYamlDocuments(text, what);
    if (documents.some((doc) => doc.errors.length > 0)) return unparseable;
    values = documents.map((doc) => yamlData(doc, what));
  } catch (err) {
    if (err instanceof KustomizeError) throw err; // a bound, not a syntax error
    return unparseable;
  }
  // a document naming an apiVersion or a kind is meant as a manifest: one missing the other is
  // kept, so that kustomize names the broken file instead of it being left out silently
  const names = (value: Record<string, unknown>, key: string) =>
    typeof value[key] === "string" && value[key] !== "";
  return values.some((value) => isPlainObject(value) && (names(value, "apiVersion") || names(value, "kind")));
}

async function applySettings(file: string, settings: KustomizeSettings, dir: string): Promise<void> {
  const name = path.basename(file);
  let kustomization: unknown;
  try {
    kustomization = parseYaml(await readFile(file, "utf8"), `file ${name}`);
  } catch (err) {
    if (err instanceof KustomizeError) throw err;
    // Without settings to write, kustomize's own message about the file is the better one.
    if (!hasSettings(settings)) return;
    throw new KustomizeError("BuildFailed", `${name} is not valid YAML: ${(err as Error).message}`);
  }
  kustomization ??= {};
  if (!isPlainObject(kustomization)) throw new KustomizeError("BuildFailed", `${name} is not a YAML mapping`);
  const fields = await settingsFields(kustomization, settings, dir, name);
  // kustomize refuses a kustomization without fields as empty; Flux builds it as no objects.
  if (kustomization["resources"] == null) fields["resources"] = [];
  if (Object.keys(fields).length > 0) await replaceFile(file, { ...kustomization, ...fields });
}

function hasSettings(settings: KustomizeSettings): boolean {
  return (
    !!settings.targetNamespace ||
    !!settings.namePrefix ||
    !!settings.nameSuffix ||
    !!settings.patches?.length ||
    !!settings.images?.length ||
    !!settings.components?.length
  );
}

async function settingsFields(
  kustomization: Record<string, unknown>,
  settings: KustomizeSettings,
  dir: string,
  fileName: string,
): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  if (settings.targetNamespace) fields["namespace"] = settings.targetNamespace;
  if (settings.namePrefix) fields["namePrefix"] = settings.namePrefix;
  if (settings.nameSuffix) fields["nameSuffix"] = settings.nameSuffix;
  if (settings.patches?.length)
    fields["patches"] = [...listField(kustomization, "patches", fileName), ...settings.patches.map(toPatch)];
  if (settings.components?.length) {
    const components = await existingComponents(settings.components, dir, settings.ignoreMissingComponents);
    fields["components"] = [...listField(kustomization, "components", fileName), ...components];
  }
  if (settings.images?.length)
    fields["images"] = mergeImages(listField(kustomization, "images", fileName), settings.images);
  return fields;
}

function listField(kustomization: Record<string, unknown>, field: string, fileName: string): unknown[] {
  const value = kustomization[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new KustomizeError("BuildFailed", `${fileName}: '${field}' is not a list`);
  return value;
}

function toPatch(patch: PatchSpec): Record<string, unknown> {
  return patch.target === undefined
    ? { patch: patch.patch }
    : { patch: patch.patch, target: withoutUndefined(patch.target) };
}

function mergeImages(existing: unknown[], images: readonly ImageSpec[]): unknown[] {
  const merged = [...existing];
  for (const image of images) {
    const override = withoutUndefined({ ...image });
    const index = merged.findIndex((entry) => isPlainObject(entry) && entry["name"] === image.name);
    if (index >= 0) merged[index] = override;
    else merged.push(override);
  }
  return merged;
}

async function existingComponents(
  components: readonly string[],
  dir: string,
  ignoreMissing: boolean | undefined,
): Promise<string[]> {
  const kept: string[] = [];
  for (const component of components) {
    if (path.isAbsolute(component) || isRemoteUrl(component))
      throw new UnsupportedKustomizationError(
        `component '${component}' must be a local path relative to the Kustomization path`,
      );
    const exists = (await stat(path.join(dir, component)).catch(() => undefined)) !== undefined;
    if (exists || !ignoreMissing) kept.push(component);
  }
  return kept;
}

function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Replaces the file rather than writing through it: it may be a dangling symlink. */
async function replaceFile(file: string, content: unknown): Promise<void> {
  await rm(file, { force: true });
  await writeFile(file, stringifyYaml(content), { flag: "wx", mode: 0o644 });
}
