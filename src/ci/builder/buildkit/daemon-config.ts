/**
 * buildkitd.toml for the daemon Sluice starts: the OCI worker only (runc, overlayfs, the host's
 * network as a CI task has it), a disk bound on its build cache, and the server's registry
 * settings so `FROM` and pushes go where task images go — mirrors with their path prefixes, and
 * plain HTTP for loopback and `insecure` registries.
 */
import type { RegistryMirrors } from "../../../oci/mirrors.ts";
import { speaksPlainHttp } from "../../../oci/reference.ts";

export interface DaemonConfigOptions {
  /** Where buildkitd keeps its snapshots and cache. */
  root: string;
  /** `unix:///…/buildkitd.sock` */
  address: string;
  mirrors: RegistryMirrors;
  /** Registries spoken to over plain HTTP although not on loopback. */
  insecureRegistries?: readonly string[] | undefined;
  /** The build cache is garbage-collected down to this many bytes. */
  maxCacheBytes: number;
}

interface RegistrySettings {
  mirrors?: string[];
  http?: boolean;
}

const quote = (text: string): string => JSON.stringify(text);

function registrySettings(options: DaemonConfigOptions): Map<string, RegistrySettings> {
  const registries = new Map<string, RegistrySettings>();
  const entry = (host: string): RegistrySettings => {
    const existing = registries.get(host);
    if (existing) return existing;
    const created: RegistrySettings = {};
    registries.set(host, created);
    return created;
  };
  const insecure = new Set(options.insecureRegistries ?? []);
  for (const mirror of options.mirrors.list()) {
    const target = mirror.prefix === "" ? mirror.mirrorRegistry : `${mirror.mirrorRegistry}/${mirror.prefix}`;
    entry(mirror.host).mirrors = [target];
    if (speaksPlainHttp(mirror.mirrorRegistry, insecure.has(mirror.mirrorRegistry))) {
      entry(mirror.mirrorRegistry).http = true;
    }
  }
  for (const host of insecure) entry(host).http = true;
  return registries;
}

export function renderDaemonConfig(options: DaemonConfigOptions): string {
  const lines = [
    `root = ${quote(options.root)}`,
    "",
    "[grpc]",
    `  address = [${quote(options.address)}]`,
    "",
    "[worker.oci]",
    "  enabled = true",
    '  snapshotter = "overlayfs"',
    '  networkMode = "host"',
    "  gc = true",
    `  maxUsedSpace = ${quote(String(options.maxCacheBytes))}`,
    "",
    "[worker.containerd]",
    "  enabled = false",
  ];
  for (const [host, settings] of registrySettings(options)) {
    lines.push("", `[registry.${quote(host)}]`);
    if (settings.mirrors) lines.push(`  mirrors = [${settings.mirrors.map(quote).join(", ")}]`);
    if (settings.http) lines.push("  http = true");
  }
  return `${lines.join("\n")}\n`;
}
