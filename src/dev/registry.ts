import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import bcrypt from "bcryptjs";
import { stringify } from "yaml";

export interface RegistryConfigOptions {
  host: string;
  port: number;
  auth?: { username: string; password: string };
  /** Where the registry POSTs its event envelopes (manifest pushes, deletes, ...). */
  notifications?: { url: string };
}

export interface RegistryLaunch {
  configPath: string;
  command: [string, ...string[]];
}

export const registryBinary = "docker-registry";

/**
 * The registry checks the htpasswd hash on every request, so a high bcrypt cost slows every test
 * push down; this is a throwaway local registry, not a place for real secrets.
 */
const htpasswdBcryptCost = 6;

/** Writes DIR/config.yml (and DIR/htpasswd when auth is given) for the Distribution registry. */
export async function writeRegistryConfig(
  dir: string,
  options: RegistryConfigOptions,
): Promise<RegistryLaunch> {
  await mkdir(dir, { recursive: true });
  const storageDir = path.join(dir, "storage");
  await mkdir(storageDir, { recursive: true });
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "info", formatter: "text", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // Signs upload session state; a fresh one per config is fine for a single local instance.
    http: { addr: `${formatHost(options.host)}:${options.port}`, secret: randomBytes(32).toString("hex") },
  };
  if (options.auth) {
    const htpasswdPath = path.join(dir, "htpasswd");
    await writeHtpasswd(htpasswdPath, options.auth.username, options.auth.password);
    config["auth"] = { htpasswd: { realm: "sluice-dev-registry", path: htpasswdPath } };
  }
  if (options.notifications) {
    config["notifications"] = { endpoints: [notificationEndpoint(options.notifications.url)] };
  }
  const configPath = path.join(dir, "config.yml");
  await writeFile(configPath, stringify(config), { mode: 0o600 });
  return { configPath, command: [registryBinary, "serve", configPath] };
}

export async function writeHtpasswd(file: string, username: string, password: string): Promise<void> {
  if (username === "" || /[:\s]/.test(username)) {
    throw new Error(`registry username ${JSON.stringify(username)} must be non-empty without ':' or spaces`);
  }
  if (/[\r\n]/.test(password)) throw new Error("registry password must not contain line breaks");
  const hash = await bcrypt.hash(password, htpasswdBcryptCost);
  await writeFile(file, `${username}:${hash}\n`, { mode: 0o600 });
}

function notificationEndpoint(url: string): Record<string, unknown> {
  return {
    name: "sluice",
    url,
    timeout: "5s",
    threshold: 3,
    backoff: "1s",
    // Blob events carry no tag; Sluice only reacts to manifests.
    ignoredmediatypes: ["application/octet-stream"],
  };
}

function formatHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
