import { stat } from "node:fs/promises";
import path from "node:path";

/** The file names kustomize recognises, in its order of preference. */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of kustomizationFileNames) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return file;
  }
  return undefined;
}
