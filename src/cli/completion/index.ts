/** `sluice completion bash|zsh|fish`: prints a completion script for the shell. */
import type { Command } from "commander";
import { usageError } from "../shared/flags.ts";
import { bashScript, completionTree, fishScript, zshScript } from "./scripts.ts";

const shells = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell: string) => {
      const script = shells[shell as keyof typeof shells];
      if (!script) throw usageError(`unknown shell "${shell}"`, "choose bash, zsh or fish");
      process.stdout.write(script(program.name(), completionTree(program)));
    });
}
