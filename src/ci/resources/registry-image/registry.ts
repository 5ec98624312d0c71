/** Talking to the image's registries: clients per endpoint, mirrors for reads, errors as ResourceErrors. */
import { Agent } from "undici";
import { RegistryError } from "../../../oci/errors.ts";
import type { RegistryMirrors } from "../../../oci/mirrors.ts";
import { formatImageReference } from "../../../oci/reference.ts";
import { RegistryClient } from "../../../oci/registry-client.ts";
import { ResourceError } from "../resource.ts";
import type { Endpoint, RegistryImageSource } from "./source.ts";

/** An open client for one endpoint's repository. */
export interface Repository {
  client: RegistryClient;
  /** Path inside the registry: "library/golang". */
  name: string;
  /** "registry/repository", for messages. */
  display: string;
}

/** Runs `use` with a client for `endpoint`; registry failures become ResourceErrors. */
export async function withRepository<T>(
  endpoint: Endpoint,
  use: (repository: Repository) => Promise<T>,
): Promise<T> {
  const dispatcher =
    endpoint.caCerts.length > 0
      ? new Agent({ connect: { ca: endpoint.caCerts }, keepAliveTimeout: 10_000 })
      : undefined;
  const client = new RegistryClient({
    host: endpoint.location.registry,
    insecure: endpoint.insecure,
    ...(endpoint.credentials ? { credentials: endpoint.credentials } : {}),
    ...(dispatcher ? { dispatcher } : {}),
  });
  try {
    return await use({
      client,
      name: endpoint.location.repository,
      display: formatImageReference(endpoint.location),
    });
  } catch (error) {
    throw asResourceError(error);
  } finally {
    await client.close();
    await dispatcher?.close();
  }
}

/**
 * Where reads go, in order: the source's registry_mirror (for Docker Hub images), then the origin —
 * or the engine's mirror of it. The origin's credentials never go to a mirror on another registry.
 */
export function readEndpoints(source: RegistryImageSource, mirrors: RegistryMirrors | undefined): Endpoint[] {
  const mirrored = mirrors?.apply(source.origin.location) ?? source.origin.location;
  const origin: Endpoint =
    mirrored === source.origin.location
      ? source.origin
      : { location: mirrored, insecure: source.origin.insecure, caCerts: source.origin.caCerts };
  return source.registryMirror ? [source.registryMirror, origin] : [origin];
}

/** Reads from the first endpoint that answers; a failing mirror falls through to the next, as the resource does. */
export async function readFromFirst<T>(
  endpoints: readonly Endpoint[],
  read: (repository: Repository) => Promise<T>,
): Promise<T> {
  let failure: unknown;
  for (const endpoint of endpoints) {
    try {
      return await withRepository(endpoint, read);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

const authenticationCodes = new Set(["UNAUTHORIZED", "DENIED"]);
const notFoundCodes = new Set(["NAME_UNKNOWN", "MANIFEST_UNKNOWN", "BLOB_UNKNOWN"]);

export function asResourceError(error: unknown): unknown {
  if (!(error instanceof RegistryError)) return error;
  const code = error.code ?? "";
  const reason =
    error.status === 401 || error.status === 403 || authenticationCodes.has(code)
      ? "AuthenticationFailed"
      : error.status === 404 || notFoundCodes.has(code)
        ? "NotFound"
        : "Failed";
  return new ResourceError(reason, error.message, { cause: error });
}
