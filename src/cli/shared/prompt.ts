/** Confirmation before destructive commands: asked on a terminal, refused without one unless --silent. */
import { createInterface } from "node:readline/promises";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "./flags.ts";

/** Resolves when the person agreed (or `silent`); throws when they did not or cannot be asked. */
export async function confirm(question: string, silent: boolean, silentFlag = "--silent"): Promise<void> {
  if (silent) return;
  if (!process.stdin.isTTY) {
    throw usageError(
      `refusing to proceed without confirmation: ${question}`,
      `no terminal to ask on: pass ${silentFlag} to confirm`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`? ${question} [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new SluiceError("aborted");
  } finally {
    rl.close();
  }
}
