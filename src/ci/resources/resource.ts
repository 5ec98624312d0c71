/**
 * The contract of a built-in resource, as Concourse's resource images implement it through
 * /opt/resource/check, in and out: the same requests and answers, without a container.
 */
import type { z } from "zod";
import type { BuildIdentity } from "../build/context.ts";

/** A version is a flat map of strings, e.g. `{ time: "2026-01-02T03:04:05Z" }` or `{ number: "1.2.3" }`. */
export type Version = Record<string, string>;

export interface MetadataField {
  name: string;
  value: string;
}

/** What `get` and `put` answer: the version fetched or produced, and metadata shown with it. */
export interface VersionResult {
  version: Version;
  metadata: MetadataField[];
}

/** A resource's `source:` or a step's `params:`, as JSON after `((vars))` were resolved. */
export type ResourceConfig = Readonly<Record<string, unknown>>;

export interface ResourceCall {
  signal?: AbortSignal;
  /** An explicit check (a person, a webhook): answer from the remote's state now, never a cached one. */
  fresh?: boolean;
  /** The step's build log, for progress a resource reports as it works (an image build). */
  log?: (line: string) => void;
  /** The build a get or put runs for (resource scripts get it as BUILD_* variables). */
  build?: BuildIdentity;
}

export interface BuiltinResource {
  /** The `type:` a pipeline names it by. */
  readonly type: string;
  /**
   * The versions after `fromVersion`, oldest first; `fromVersion` itself is included while it is
   * still valid, so the caller can tell "nothing new" from "the old version disappeared".
   */
  check(source: ResourceConfig, fromVersion: Version | undefined, call?: ResourceCall): Promise<Version[]>;
  /** Fetches `version` into `destDir` (which exists and is empty). */
  get(
    source: ResourceConfig,
    version: Version,
    params: ResourceConfig,
    destDir: string,
    call?: ResourceCall,
  ): Promise<VersionResult>;
  /** Produces a new version from the build's artifacts under `inputsDir`. */
  put(
    source: ResourceConfig,
    params: ResourceConfig,
    inputsDir: string,
    call?: ResourceCall,
  ): Promise<VersionResult>;
}

/** Why a resource call failed, for the check status and the build log. */
export type ResourceErrorReason =
  "InvalidConfig" | "InvalidVersion" | "AuthenticationFailed" | "NotFound" | "Conflict" | "Failed";

/** A failure with a message a person can act on; it never contains a credential. */
export class ResourceError extends Error {
  readonly reason: ResourceErrorReason;

  constructor(reason: ResourceErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ResourceError";
    this.reason = reason;
  }
}

/** Parses `source:` or `params:` with `schema`; a mismatch is an InvalidConfig error naming the field. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: "source" | "params",
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? `${what}.${issue.path.join(".")}` : what;
    return `${at}: ${issue.message}`;
  });
  throw new ResourceError("InvalidConfig", `invalid ${what}: ${issues.join("; ")}`);
}

/** Runs a synchronous step as a promise, so that a throw becomes a rejection. */
export function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}
