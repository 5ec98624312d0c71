/** Helpers for the tests of this folder: artifacts from file maps, the pinned kustomize binary. */
import { SluiceError } from "../common/errors.ts";
import { upstreamBinary } from "../common/toolchain.ts";
import { type TarEntry, createTar } from "../common/tar.ts";
import { gzipDeterministic } from "../source/tar-gz.ts";

/** A file's content, or `{ symlink: target }`. */
export type ArtifactFiles = Record<string, string | { symlink: string }>;

export function artifact(files: ArtifactFiles): Buffer {
  const entries: TarEntry[] = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, content]) =>
      typeof content === "string"
        ? { type: "file", path, content }
        : { type: "symlink", path, target: content.symlink },
    );
  return gzipDeterministic(createTar(entries));
}

/** The pinned kustomize; a test without it fails with the command that builds it. */
export async function kustomizeBinary(): Promise<string> {
  try {
    return await upstreamBinary("kustomize");
  } catch (err) {
    if (err instanceof SluiceError) throw new Error(`${err.message}: ${err.hint ?? ""}`, { cause: err });
    throw err;
  }
}

export function configMap(name: string, data: Record<string, string> = { key: "value" }): string {
  const lines = Object.entries(data).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  return ["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: ${name}`, "data:", ...lines, ""].join(
    "\n",
  );
}

export function deployment(name: string, image = "nginx:1.25"): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: main
          image: ${image}
`;
}
