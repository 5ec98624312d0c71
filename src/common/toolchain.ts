import { access, readFile } from "node:fs/promises";
import { constants } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SluiceError } from "./errors.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function cacheDir(): string {
  return process.env["SLUICE_CACHE"] ?? path.join(os.homedir(), ".cache/sluice");
}

/** The pins in scripts/versions.sh, the one place versions are written. */
export async function pinnedVersions(): Promise<Record<string, string>> {
  const text = await readFile(path.join(projectRoot, "scripts/versions.sh"), "utf8");
  return Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const binaries = {
  "kube-apiserver": ["kubernetes", "K8S_VERSION"],
  "kube-controller-manager": ["kubernetes", "K8S_VERSION"],
  "kube-scheduler": ["kubernetes", "K8S_VERSION"],
  kubectl: ["kubernetes", "K8S_VERSION"],
  kubelet: ["kubernetes-node", "K8S_VERSION"],
  "kube-proxy": ["kubernetes-node", "K8S_VERSION"],
  etcd: ["etcd", "ETCD_VERSION"],
  kwok: ["kwok", "KWOK_VERSION"],
  kustomize: ["kustomize", "KUSTOMIZE_VERSION"],
  helm: ["helm", "HELM_VERSION"],
  buildkitd: ["buildkit", "BUILDKIT_VERSION"],
  buildctl: ["buildkit", "BUILDKIT_VERSION"],
} as const;
export type UpstreamBinary = keyof typeof binaries;

/** Path of a Go-built upstream binary in the version cache; fails with the setup step to run. */
export async function upstreamBinary(name: UpstreamBinary): Promise<string> {
  const [tool, pin] = binaries[name];
  const version = (await pinnedVersions())[pin];
  const file = path.join(cacheDir(), "upstream", `${tool}-${version}`, name);
  try {
    await access(file, constants.X_OK);
  } catch {
    throw new SluiceError(`${name} ${version} is not built (${file} is missing)`, {
      hint: `run 'scripts/build-upstream.sh ${tool}' (or 'make setup'); it is cached by version afterwards`,
    });
  }
  return file;
}

/** A system binary (installed from Debian packages by scripts/setup-debian.sh). */
export async function systemBinary(name: string): Promise<string> {
  for (const dir of (process.env["PATH"] ?? "/usr/bin").split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  throw new SluiceError(`${name} is not installed`, {
    hint: "run 'scripts/setup-debian.sh' (or 'make setup')",
  });
}
