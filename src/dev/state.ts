import { readFile, rm, writeFile, rename } from "node:fs/promises";
import path from "node:path";
import type { ManagedProcess } from "./processes.ts";

/** The processes one environment directory owns, in start order. */
export interface DevState {
  processes: ManagedProcess[];
  /** How many real nodes were set up: what `dev down` tears down besides the processes. */
  realNodes?: number;
}

const stateFile = (dir: string) => path.join(dir, "state.json");

export async function readState(dir: string): Promise<DevState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), "utf8")) as DevState;
  } catch {
    return undefined;
  }
}

export async function writeState(dir: string, state: DevState): Promise<void> {
  await writeFile(`${stateFile(dir)}.tmp`, JSON.stringify(state, null, 2) + "\n");
  await rename(`${stateFile(dir)}.tmp`, stateFile(dir));
}

export async function removeState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}
