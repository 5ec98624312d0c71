import os from "node:os";
import { Semaphore } from "../common/semaphore.ts";

/**
 * How many `kustomize build` processes run at once in this process: a build spends much of its
 * time starting up and reading files, so twice the cores keeps them busy without thrashing.
 */
export const kustomizeBuilds = new Semaphore(Math.max(2, 2 * os.availableParallelism()));

export function setKustomizeConcurrency(limit: number): void {
  kustomizeBuilds.setLimit(limit);
}
