/**
 * Registry mirrors as `sluice server --registry-mirror HOST=MIRROR` names them: every image of
 * HOST is pulled from MIRROR (`host[:port][/path-prefix]`) instead, its repository path kept under
 * the prefix. Docker Hub's short names are expanded first, so `golang` is `docker.io/library/golang`.
 */
import {
  formatImageReference,
  isValidRegistry,
  isValidRepository,
  normaliseRegistry,
  type ImageReference,
} from "./reference.ts";

export interface RegistryMirror {
  /** The registry being mirrored, normalised ("docker.io", "mcr.microsoft.com"). */
  host: string;
  /** Where its images are served: "127.0.0.1:5000". */
  mirrorRegistry: string;
  /** Path the mirrored repositories live under ("mirror/docker.io"), or "" for the root. */
  prefix: string;
}

export class InvalidMirrorError extends Error {
  constructor(text: string, problem: string) {
    super(`invalid registry mirror ${JSON.stringify(text)}: ${problem}`);
    this.name = "InvalidMirrorError";
  }
}

/** Parses `HOST=MIRROR`, e.g. `docker.io=127.0.0.1:5000/mirror/docker.io`. */
export function parseRegistryMirror(text: string): RegistryMirror {
  const equals = text.indexOf("=");
  if (equals === -1) throw new InvalidMirrorError(text, "expected HOST=MIRROR");
  const host = normaliseRegistry(text.slice(0, equals).trim());
  const target = text.slice(equals + 1).trim();
  if (!isValidRegistry(host)) throw new InvalidMirrorError(text, `"${host}" is not a registry host`);
  const slash = target.indexOf("/");
  const mirrorRegistry = normaliseRegistry(slash === -1 ? target : target.slice(0, slash));
  const prefix = slash === -1 ? "" : target.slice(slash + 1).replace(/\/+$/, "");
  if (!isValidRegistry(mirrorRegistry)) {
    throw new InvalidMirrorError(text, `"${mirrorRegistry}" is not a registry host[:port]`);
  }
  if (prefix !== "" && !isValidRepository(prefix)) {
    throw new InvalidMirrorError(text, `path prefix "${prefix}" is not a valid repository path`);
  }
  return { host, mirrorRegistry, prefix };
}

/** The mirrors of an engine: at most one per mirrored host. */
export class RegistryMirrors {
  readonly #byHost = new Map<string, RegistryMirror>();

  constructor(mirrors: readonly RegistryMirror[] = []) {
    for (const mirror of mirrors) {
      if (this.#byHost.has(mirror.host)) {
        throw new InvalidMirrorError(`${mirror.host}=…`, `${mirror.host} is mirrored more than once`);
      }
      this.#byHost.set(mirror.host, mirror);
    }
  }

  static parse(texts: readonly string[]): RegistryMirrors {
    return new RegistryMirrors(texts.map(parseRegistryMirror));
  }

  /** Every mirror, one per mirrored host. */
  list(): RegistryMirror[] {
    return [...this.#byHost.values()];
  }

  /** The reference to pull instead of `reference`; `reference` itself when its registry has no mirror. */
  apply(reference: ImageReference): ImageReference {
    const mirror = this.#byHost.get(normaliseRegistry(reference.registry));
    if (!mirror) return reference;
    const repository =
      mirror.prefix === "" ? reference.repository : `${mirror.prefix}/${reference.repository}`;
    if (!isValidRepository(repository)) {
      throw new InvalidMirrorError(
        `${mirror.host}=${mirror.mirrorRegistry}/${mirror.prefix}`,
        `${formatImageReference(reference)} would become the invalid repository "${repository}"`,
      );
    }
    return { ...reference, registry: mirror.mirrorRegistry, repository };
  }
}
