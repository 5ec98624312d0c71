/**
 * `sluice create image repository|policy`: an ImageRepository or ImagePolicy from flags, exported as
 * YAML or applied and awaited (the scan, the selected image). `create image update` is in
 * image-update.ts.
 */
import { Option, type Command } from "commander";
import { Duration, TimeoutDuration } from "../../api/duration.ts";
import { ImagePolicySpec, ReflectionPolicy } from "../../api/image/imagepolicy/index.ts";
import { ImageRepositorySpec } from "../../api/image/imagerepository/index.ts";
import { compileGoRegexp, ExpandTemplate, GoRegexpError, type GoRegexp } from "../../common/go-regexp.ts";
import { parseScanImage, ScanError } from "../../image/scanner.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { parseFluxRange, SemverRangeError } from "../../semver/range.ts";
import { checkedSpec, createGroup, exportOrApply, objectOf, type CreateFlags } from "./shared.ts";
import { apiField, collectRepeated, nameAndNamespace, objectName, usageError } from "../shared/flags.ts";
import { commandGroup, imagePolicyKind, imageRepositoryKind } from "../shared/kinds.ts";
import { addKubeFlags } from "../shared/kube-flags.ts";

interface ImageRepositoryFlags extends CreateFlags {
  image: string;
  interval: string;
  scanTimeout?: string;
  secretRef?: string;
  certSecretRef?: string;
  /** Flux's name of --cert-secret-ref */
  certRef?: string;
  insecure: boolean;
  exclusionList?: string[];
}

interface ImagePolicyFlags extends CreateFlags {
  imageRef: string;
  selectSemver?: string;
  selectAlpha?: string;
  selectNumeric?: string;
  filterRegex?: string;
  filterExtract?: string;
  reflectDigest?: string;
  interval?: string;
}

/** `--image`: a repository without scheme, tag or digest, as the controller scans it. */
function imageName(value: string): string {
  try {
    parseScanImage(value);
  } catch (err) {
    if (!(err instanceof ScanError)) throw err;
    throw usageError(
      err.message.replace(/^spec\.image /, "--image "),
      "e.g. ghcr.io/org/app or alpine (the tags are what the scan finds)",
    );
  }
  return value;
}

/** A Go (RE2) regular expression, as the controller compiles it. */
function goRegexp(flag: string, value: string): GoRegexp {
  try {
    return compileGoRegexp(value);
  } catch (err) {
    if (err instanceof GoRegexpError) throw usageError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildImageRepository(name: string, flags: ImageRepositoryFlags): KubeObject {
  objectName("ImageRepository name", name);
  const spec: Record<string, unknown> = {
    image: imageName(flags.image),
    interval: apiField("--interval", flags.interval, Duration),
  };
  if (flags.scanTimeout !== undefined)
    spec["timeout"] = apiField("--scan-timeout", flags.scanTimeout, TimeoutDuration);
  if (flags.secretRef !== undefined)
    spec["secretRef"] = { name: objectName("--secret-ref", flags.secretRef) };
  const certSecretRef = flags.certSecretRef ?? flags.certRef;
  if (certSecretRef !== undefined)
    spec["certSecretRef"] = { name: objectName("--cert-secret-ref", certSecretRef) };
  if (flags.insecure) spec["insecure"] = true;
  if (flags.exclusionList?.length) {
    if (flags.exclusionList.length > 25)
      throw usageError(`--exclusion-list takes at most 25 patterns, got ${flags.exclusionList.length}`);
    for (const pattern of flags.exclusionList) goRegexp("--exclusion-list", pattern);
    spec["exclusionList"] = flags.exclusionList;
  }
  const kind = imageRepositoryKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, ImageRepositorySpec));
}

/** `asc` or `desc`, as Flux's --select-alpha and --select-numeric take them. */
function sortOrder(flag: string, value: string): { order: string } {
  if (value !== "asc" && value !== "desc")
    throw usageError(`${flag} must be "asc" (select the last) or "desc" (select the first), got "${value}"`);
  return { order: value };
}

/** The policy from exactly one of --select-semver, --select-alpha, --select-numeric. */
function policyChoice(flags: ImagePolicyFlags): Record<string, unknown> {
  const given = [
    ["--select-semver", flags.selectSemver],
    ["--select-alpha", flags.selectAlpha],
    ["--select-numeric", flags.selectNumeric],
  ].filter((e): e is [string, string] => e[1] !== undefined);
  if (given.length !== 1) {
    throw usageError(
      given.length === 0
        ? "a tag selection policy is required"
        : `choose one tag selection policy, got ${given.map(([flag]) => flag).join(" and ")}`,
      "pass one of --select-semver RANGE, --select-alpha asc|desc or --select-numeric asc|desc",
    );
  }
  if (flags.selectSemver !== undefined) {
    try {
      parseFluxRange(flags.selectSemver);
    } catch (err) {
      if (err instanceof SemverRangeError)
        throw usageError(`--select-semver: ${err.message}`, "e.g. '^1.0', '>=1.0.0 <2.0.0' or '1.x'");
      throw err;
    }
    return { semver: { range: flags.selectSemver } };
  }
  if (flags.selectAlpha !== undefined)
    return { alphabetical: sortOrder("--select-alpha", flags.selectAlpha) };
  return { numerical: sortOrder("--select-numeric", flags.selectNumeric!) };
}

/** `filterTags` from --filter-regex and --filter-extract (which needs the regex's groups). */
function tagFilter(flags: ImagePolicyFlags): Record<string, string> | undefined {
  if (flags.filterRegex === undefined) {
    if (flags.filterExtract !== undefined)
      throw usageError("--filter-extract needs --filter-regex: it expands the regex's capture groups");
    return undefined;
  }
  const regexp = goRegexp("--filter-regex", flags.filterRegex);
  if (flags.filterExtract === undefined || flags.filterExtract === "") return { pattern: flags.filterRegex };
  try {
    new ExpandTemplate(flags.filterExtract, regexp);
  } catch (err) {
    throw usageError(
      `--filter-extract "${flags.filterExtract}": ${err instanceof Error ? err.message : String(err)}`,
      "name groups of --filter-regex, e.g. --filter-regex '^main-(?P<ts>[0-9]+)' --filter-extract '$ts'",
    );
  }
  return { pattern: flags.filterRegex, extract: flags.filterExtract };
}

/** --reflect-digest and --interval: the interval refreshes the digest, so it goes with Always only. */
function digestReflection(flags: ImagePolicyFlags): Record<string, string> {
  const fields: Record<string, string> = {};
  if (flags.reflectDigest !== undefined)
    fields["digestReflectionPolicy"] = apiField("--reflect-digest", flags.reflectDigest, ReflectionPolicy);
  if (flags.interval !== undefined) {
    if (flags.reflectDigest !== "Always")
      throw usageError("--interval refreshes the digest and is only used with --reflect-digest Always");
    fields["interval"] = apiField("--interval", flags.interval, Duration);
  } else if (flags.reflectDigest === "Always") {
    throw usageError("--reflect-digest Always needs --interval: how often to refresh the digest");
  }
  return fields;
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildImagePolicy(name: string, flags: ImagePolicyFlags): KubeObject {
  objectName("ImagePolicy name", name);
  const spec: Record<string, unknown> = {
    imageRepositoryRef: nameAndNamespace("--image-ref", flags.imageRef, false),
    policy: policyChoice(flags),
  };
  const filter = tagFilter(flags);
  if (filter) spec["filterTags"] = filter;
  Object.assign(spec, digestReflection(flags));
  const kind = imagePolicyKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, ImagePolicySpec));
}

function registerCreateImageRepository(image: Command): void {
  addKubeFlags(
    image
      .command("repository")
      .description("create or update an ImageRepository and wait until it scanned the tags")
      .argument("<name>", "name of the ImageRepository")
      .requiredOption("--image <repository>", "image repository to scan, e.g. ghcr.io/org/app or alpine")
      .option("--interval <duration>", "how often to scan", "1m")
      .option("--scan-timeout <duration>", "time limit of one scan (spec.timeout; the interval when not set)")
      .option("--secret-ref <name>", "docker-registry Secret with the registry's credentials")
      .option("--cert-secret-ref <name>", "Secret with ca.crt (and tls.crt, tls.key) for the registry")
      .addOption(new Option("--cert-ref <name>", "Flux's name of --cert-secret-ref").hideHelp())
      .option("--insecure", "the registry speaks plain HTTP", false)
      .option(
        "--exclusion-list <regex>",
        "tags to leave out, a Go regular expression (repeatable; default '^.*\\.sig$')",
        collectRepeated,
      )
      .option("--export", "print the ImageRepository as YAML instead of applying it", false),
  ).action((name: string, flags: ImageRepositoryFlags) =>
    exportOrApply(imageRepositoryKind, buildImageRepository(name, flags), flags),
  );
}

function registerCreateImagePolicy(image: Command): void {
  addKubeFlags(
    image
      .command("policy")
      .description("create or update an ImagePolicy and wait until it selected an image")
      .argument("<name>", "name of the ImagePolicy")
      .requiredOption("--image-ref <name>", "ImageRepository whose tags to choose from: NAME[.NAMESPACE]")
      .option("--select-semver <range>", "select the highest tag in a SemVer range, e.g. '^1.0' or '1.x'")
      .option("--select-alpha <order>", "select by alphabetical order: asc (the last) or desc (the first)")
      .option(
        "--select-numeric <order>",
        "select by numerical order: asc (the largest) or desc (the smallest)",
      )
      .option("--filter-regex <regex>", "consider only tags matching this Go regular expression")
      .option(
        "--filter-extract <template>",
        "order by this expansion of --filter-regex's capture groups instead of the tag, e.g. '$ts'",
      )
      .option(
        "--reflect-digest <policy>",
        "record the digest of the selected image: Never, IfNotPresent or Always",
      )
      .option("--interval <duration>", "how often to refresh the digest (only with --reflect-digest Always)")
      .option("--export", "print the ImagePolicy as YAML instead of applying it", false),
  ).action((name: string, flags: ImagePolicyFlags) =>
    exportOrApply(imagePolicyKind, buildImagePolicy(name, flags), flags),
  );
}

/** The `create image` command group, shared with image-update.ts. */
export const createImageGroup = (program: Command): Command =>
  commandGroup(createGroup(program), "image", "create or update image automation objects");

export function registerCreateImageCommands(program: Command): void {
  const image = createImageGroup(program);
  registerCreateImageRepository(image);
  registerCreateImagePolicy(image);
}
