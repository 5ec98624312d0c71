/** The flags of the verbs that run on this machine's worker: `--registry-mirror`, `--cache-dir`. */
import type { Command } from "commander";
import { parseRegistryMirror, RegistryMirrors } from "../../oci/mirrors.ts";
import { collectRepeated, usageError } from "../shared/flags.ts";

export function mirrorsOf(values: readonly string[] | undefined): RegistryMirrors {
  try {
    return new RegistryMirrors((values ?? []).map(parseRegistryMirror));
  } catch (error) {
    throw usageError(`--registry-mirror: ${(error as Error).message}`);
  }
}

export function addLocalWorkerFlags(command: Command): Command {
  return command
    .option(
      "--registry-mirror <host=mirror>",
      "read images of HOST from MIRROR (host[:port][/prefix]) (repeatable)",
      collectRepeated,
    )
    .option(
      "--cache-dir <dir>",
      "the image builder's state and the unpacked images (default: ~/.cache/sluice)",
    );
}
