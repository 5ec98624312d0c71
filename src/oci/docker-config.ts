import { z } from "zod";
import type { Credentials } from "./auth.ts";
import { normaliseRegistry } from "./reference.ts";

/**
 * Registry credentials from a `kubernetes.io/dockerconfigjson` Secret (`.dockerconfigjson`, the
 * `{"auths": {...}}` of `docker login`) or a legacy `kubernetes.io/dockercfg` one (`.dockercfg`, the
 * same entries without the `auths` wrapper), as `kubectl create secret docker-registry` writes them.
 *
 * Keys name a registry with or without a scheme and a path: `https://index.docker.io/v1/`,
 * `docker.io`, `localhost:5000`, `https://registry.example.com/v2/`. They are reduced to the host
 * (and port), and Docker Hub's names (`index.docker.io`, `registry-1.docker.io`, `docker.io`) are
 * one registry. An entry carries `auth` (base64 of `username:password`, preferred as Docker does)
 * or `username` and `password`.
 *
 * Error messages name the Secret's keys and registries, never a credential or the raw content.
 */

export class DockerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DockerConfigError";
  }
}

const DockerAuthEntry = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});
type DockerAuthEntry = z.infer<typeof DockerAuthEntry>;

const DockerAuths = z.record(z.string(), DockerAuthEntry);
const DockerConfigJson = z.looseObject({ auths: DockerAuths.optional() });

export type DockerConfigFormat = "dockerconfigjson" | "dockercfg";

export interface DockerConfig {
  /** Normalised registry host → credentials, in the order the file lists them (first one wins). */
  readonly registries: ReadonlyMap<string, Credentials>;
}

export interface SecretLike {
  type?: string | undefined;
  /** Base64 values, as the Kubernetes API serves a Secret's `data`. */
  data?: Record<string, string> | undefined;
  /** Plain values, as written in manifests; they take precedence, as the API server does. */
  stringData?: Record<string, string> | undefined;
}

const keyOf: Record<DockerConfigFormat, string> = {
  dockerconfigjson: ".dockerconfigjson",
  dockercfg: ".dockercfg",
};

/** Reads the docker config of a Secret; throws DockerConfigError. */
export function dockerConfigFromSecret(secret: SecretLike): DockerConfig {
  for (const format of ["dockerconfigjson", "dockercfg"] as const) {
    const key = keyOf[format];
    const plain = secret.stringData?.[key];
    const encoded = secret.data?.[key];
    if (plain !== undefined) return parseDockerConfig(plain, format);
    if (encoded !== undefined)
      return parseDockerConfig(Buffer.from(encoded, "base64").toString("utf8"), format);
  }
  throw new DockerConfigError(
    `the Secret${secret.type ? ` (type ${secret.type})` : ""} has neither a .dockerconfigjson nor a .dockercfg key; ` +
      "create it with `kubectl create secret docker-registry`",
  );
}

export function parseDockerConfig(
  text: string,
  format: DockerConfigFormat = "dockerconfigjson",
): DockerConfig {
  const key = keyOf[format];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, which may be a password: say only what is wrong.
    throw new DockerConfigError(`${key} is not valid JSON`);
  }
  const auths =
    format === "dockerconfigjson"
      ? checked(DockerConfigJson, json, key).auths
      : checked(DockerAuths, json, key);
  const registries = new Map<string, Credentials>();
  for (const [registryKey, entry] of Object.entries(auths ?? {})) {
    const host = registryHost(registryKey, key);
    if (!registries.has(host)) registries.set(host, credentialsOf(entry, registryKey, key));
  }
  return { registries };
}

/** The credentials for a registry host ("ghcr.io", "localhost:5000", "docker.io"), if any. */
export function credentialsFor(config: DockerConfig, registry: string): Credentials | undefined {
  return config.registries.get(normaliseRegistry(registry));
}

function checked<T>(schema: z.ZodType<T>, json: unknown, key: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DockerConfigError(`${key} is malformed: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Issue paths and codes only: zod messages can quote the offending value. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length === 0 ? "the top level" : issue.path.map(String).join(".");
      return `${where}: ${issue.code === "invalid_type" ? `expected ${issue.expected}` : issue.code}`;
    })
    .join("; ");
}

/** "https://index.docker.io/v1/" → "docker.io"; "localhost:5000/x" → "localhost:5000". */
export function registryHost(registryKey: string, key = ".dockerconfigjson"): string {
  const withoutScheme = registryKey.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const host = withoutScheme.split("/")[0] ?? "";
  if (host === "")
    throw new DockerConfigError(
      `${key} has an entry without a registry host (${JSON.stringify(registryKey)})`,
    );
  return normaliseRegistry(host);
}

function credentialsOf(entry: DockerAuthEntry, registryKey: string, key: string): Credentials {
  const where = `${key} entry for ${JSON.stringify(registryKey)}`;
  if (entry.auth !== undefined && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(entry.auth.trim()) || colon <= 0) {
      throw new DockerConfigError(`${where}: "auth" must be the base64 encoding of "username:password"`);
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.username !== "") {
    return { username: entry.username, password: entry.password ?? "" };
  }
  if (entry.identitytoken !== undefined || entry.registrytoken !== undefined) {
    throw new DockerConfigError(
      `${where} holds an identity or registry token, which Sluice does not support; use a username and password`,
    );
  }
  throw new DockerConfigError(`${where} has neither "auth" nor "username"/"password"`);
}
