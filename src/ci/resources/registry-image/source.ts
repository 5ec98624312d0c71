/** The registry-image resource's `source:`, as concourse/registry-image-resource reads it. */
import { z } from "zod";
import { compileGoRegexp, GoRegexpError, type GoRegexp } from "../../../common/go-regexp.ts";
import type { Credentials } from "../../../oci/auth.ts";
import { InvalidReferenceError, parseImageReference, type ImageReference } from "../../../oci/reference.ts";
import { parseFluxRange, SemverRangeError, type FluxRange } from "../../../semver/range.ts";
import { parseConfig, ResourceError, type ResourceConfig } from "../resource.ts";

/** One registry to talk to for the image: the origin, a mirror of it, or the source's registry_mirror. */
export interface Endpoint {
  /** Registry and repository (no tag). */
  location: ImageReference;
  credentials?: Credentials;
  insecure: boolean;
  /** PEM certificates trusted besides the system's. */
  caCerts: string[];
}

/** What check watches: one tag's digest, tags matching a regular expression, or semver tags. */
export type Watch =
  | { kind: "tag"; tag: string }
  | { kind: "regex"; regex: GoRegexp }
  | { kind: "semver"; constraint?: FluxRange; variant?: string };

export interface Platform {
  os: string;
  architecture: string;
}

export interface RegistryImageSource {
  /** `repository` as written in the source, for the `repository` file of get. */
  repository: string;
  origin: Endpoint;
  /** `registry_mirror`: tried before the origin for reads of Docker Hub images, as the resource does. */
  registryMirror?: Endpoint;
  watch: Watch;
  /** `tag` when set: check watches it and put pushes to it. */
  tag?: string;
  variant?: string;
  platform: Platform;
}

const tagText = z.union([z.string().min(1), z.number()]).transform(String);

const schema = z.object({
  repository: z.string().min(1),
  tag: tagText.optional(),
  tag_regex: z.string().min(1).optional(),
  semver_constraint: z.string().min(1).optional(),
  variant: z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  insecure: z.boolean().default(false),
  ca_certs: z.array(z.string()).default([]),
  registry_mirror: z
    .object({ host: z.string().min(1), username: z.string().optional(), password: z.string().optional() })
    .optional(),
  platform: z
    .object({ os: z.string().min(1).optional(), architecture: z.string().min(1).optional() })
    .optional(),
});

type RawSource = z.output<typeof schema>;

const goArchitectures: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" };

/** The platform picked from a multi-platform image unless `platform:` says otherwise: this machine's. */
export const defaultPlatform: Platform = {
  os: "linux",
  architecture: goArchitectures[process.arch] ?? process.arch,
};

export function parseRegistryImageSource(raw: ResourceConfig): RegistryImageSource {
  const unsupported = Object.keys(raw ?? {}).filter((key) => key.startsWith("aws_"));
  if (unsupported.length > 0) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: ${unsupported.join(", ")}: Amazon ECR authentication is not supported; use username and password`,
    );
  }
  const source = parseConfig(schema, raw, "source");
  const location = repositoryLocation(source.repository);
  const origin: Endpoint = {
    location,
    ...credentialsOf(source.username, source.password, "source"),
    insecure: source.insecure,
    caCerts: source.ca_certs,
  };
  const parsed: RegistryImageSource = {
    repository: source.repository,
    origin,
    watch: watchOf(source),
    platform: { ...defaultPlatform, ...definedOnly(source.platform) },
  };
  const mirror = registryMirror(source, origin);
  if (mirror) parsed.registryMirror = mirror;
  if (source.tag !== undefined) parsed.tag = source.tag;
  if (source.variant !== undefined) parsed.variant = source.variant;
  return parsed;
}

function repositoryLocation(repository: string): ImageReference {
  const reference = parseField("repository", InvalidReferenceError, () => parseImageReference(repository));
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: repository "${repository}" names a tag or digest; put the tag in source.tag`,
    );
  }
  return { registry: reference.registry, repository: reference.repository };
}

function credentialsOf(
  username: string | undefined,
  password: string | undefined,
  at: string,
): { credentials?: Credentials } {
  if (username === undefined && password === undefined) return {};
  if (!username || password === undefined) {
    throw new ResourceError("InvalidConfig", `invalid source: ${at} needs both username and password`);
  }
  return { credentials: { username, password } };
}

function watchOf(source: RawSource): Watch {
  const chosen = [source.tag, source.tag_regex, source.semver_constraint].filter((v) => v !== undefined);
  if (chosen.length > 1) {
    throw new ResourceError(
      "InvalidConfig",
      "invalid source: set at most one of tag, tag_regex and semver_constraint",
    );
  }
  if (source.tag !== undefined) return { kind: "tag", tag: source.tag };
  const pattern = source.tag_regex;
  if (pattern !== undefined)
    return { kind: "regex", regex: parseField("tag_regex", GoRegexpError, () => compileGoRegexp(pattern)) };
  const watch: Watch = { kind: "semver" };
  const range = source.semver_constraint;
  if (range !== undefined)
    watch.constraint = parseField("semver_constraint", SemverRangeError, () => parseFluxRange(range));
  if (source.variant !== undefined) watch.variant = source.variant;
  return watch;
}

/** Runs a parser of one field; its own error (of `kind`) becomes an InvalidConfig naming the field. */
function parseField<T>(field: string, kind: new (...args: never[]) => Error, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof kind)
      throw new ResourceError("InvalidConfig", `invalid source: ${field}: ${error.message}`);
    throw error;
  }
}

/** registry_mirror applies to Docker Hub images only, as the resource (and the docker CLI) does. */
function registryMirror(source: RawSource, origin: Endpoint): Endpoint | undefined {
  const mirror = source.registry_mirror;
  if (!mirror || origin.location.registry !== "docker.io") return undefined;
  let registry: string;
  try {
    registry = parseImageReference(`${mirror.host}/${origin.location.repository}`).registry;
  } catch {
    throw new ResourceError(
      "InvalidConfig",
      `invalid source: registry_mirror.host "${mirror.host}" is not a host[:port]`,
    );
  }
  return {
    location: { registry, repository: origin.location.repository },
    ...credentialsOf(mirror.username, mirror.password, "registry_mirror"),
    insecure: source.insecure,
    caCerts: source.ca_certs,
  };
}

function definedOnly(platform: { os?: string | undefined; architecture?: string | undefined } | undefined) {
  const defined: Partial<Platform> = {};
  if (platform?.os !== undefined) defined.os = platform.os;
  if (platform?.architecture !== undefined) defined.architecture = platform.architecture;
  return defined;
}
