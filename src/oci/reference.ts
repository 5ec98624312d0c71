/** An image reference split into its parts, with Docker Hub's short forms expanded. */
export interface ImageReference {
  /** Registry as people write it, normalised: "docker.io", "ghcr.io", "localhost:5000". */
  registry: string;
  /** Path inside the registry: "library/nginx", "team/app". */
  repository: string;
  tag?: string;
  digest?: string;
}

export class InvalidReferenceError extends Error {
  readonly reference: string;
  constructor(reference: string, problem: string) {
    super(`invalid image reference ${JSON.stringify(reference)}: ${problem}`);
    this.name = "InvalidReferenceError";
    this.reference = reference;
  }
}

export const dockerHubRegistry = "docker.io";
const dockerHubAliases = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const dockerHubApiHost = "registry-1.docker.io";
const maxRepositoryLength = 255;

const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPattern = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const tagPattern = /^\w[\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const sha256Pattern = /^sha256:[a-f0-9]{64}$/;
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const registryPattern = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`,
);

/** Parses "nginx", "ghcr.io/org/app:1.2", "localhost:5000/app@sha256:..." the way Docker does. */
export function parseImageReference(text: string): ImageReference {
  const [nameAndTag, digest] = splitOnce(text, "@");
  const { name, tag } = splitTag(nameAndTag);
  const { registry, path } = splitRegistry(name);
  const repository = registry === dockerHubRegistry && !path.includes("/") ? `library/${path}` : path;
  checkParts(text, registry, repository, tag, digest);
  const reference: ImageReference = { registry, repository };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

export function formatImageReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/** What to ask the registry's manifest endpoint for: the digest if pinned, else the tag, else "latest". */
export function manifestReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? "latest";
}

/** "index.docker.io" and friends become "docker.io"; other hosts are lower-cased. */
export function normaliseRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return dockerHubAliases.has(lower) ? dockerHubRegistry : lower;
}

/** The host the distribution API is served from: Docker Hub answers on registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  const normalised = normaliseRegistry(registry);
  return normalised === dockerHubRegistry ? dockerHubApiHost : normalised;
}

/**
 * Whether the registry is spoken to over plain HTTP: when told (`insecure`), or when it is on a
 * loopback address (localhost, 127.0.0.0/8, ::1), as Docker treats those.
 */
export function speaksPlainHttp(registry: string, insecure = false): boolean {
  return insecure || isLoopbackRegistry(registry);
}

function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(1, registry.indexOf("]"))
    : registry.replace(/:\d+$/, "");
  const lower = host.toLowerCase();
  return lower === "localhost" || lower === "::1" || /^127(?:\.\d{1,3}){3}$/.test(lower);
}

export function isValidRegistry(registry: string): boolean {
  return registryPattern.test(registry);
}

export function isValidRepository(repository: string): boolean {
  return repository.length <= maxRepositoryLength && repositoryPattern.test(repository);
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}

export function isValidDigest(digest: string): boolean {
  return digestPattern.test(digest) && (!digest.startsWith("sha256:") || sha256Pattern.test(digest));
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function splitTag(nameAndTag: string): { name: string; tag: string | undefined } {
  const colon = nameAndTag.lastIndexOf(":");
  if (colon === -1 || colon < nameAndTag.lastIndexOf("/")) return { name: nameAndTag, tag: undefined };
  return { name: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1) };
}

/** The first component names a registry only if it looks like a host: a dot, a port, or "localhost". */
function splitRegistry(name: string): { registry: string; path: string } {
  const slash = name.indexOf("/");
  const first = name.slice(0, slash);
  const looksLikeHost = /[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase();
  if (slash === -1 || !looksLikeHost) return { registry: dockerHubRegistry, path: name };
  return { registry: normaliseRegistry(first), path: name.slice(slash + 1) };
}

function checkParts(
  text: string,
  registry: string,
  repository: string,
  tag: string | undefined,
  digest: string | undefined,
): void {
  if (!isValidRegistry(registry)) throw new InvalidReferenceError(text, `bad registry host "${registry}"`);
  if (repository !== repository.toLowerCase()) {
    throw new InvalidReferenceError(text, "repository name must be lowercase");
  }
  if (!isValidRepository(repository)) {
    throw new InvalidReferenceError(
      text,
      "repository must be lowercase letters, digits and separators (. _ __ -) between slashes",
    );
  }
  if (tag !== undefined && !isValidTag(tag)) {
    throw new InvalidReferenceError(
      text,
      "tag must be 1-128 of letters, digits, '_', '.', '-' (not starting with '.' or '-')",
    );
  }
  if (digest !== undefined && !isValidDigest(digest)) {
    throw new InvalidReferenceError(text, "digest must look like sha256:<64 hex digits>");
  }
}
