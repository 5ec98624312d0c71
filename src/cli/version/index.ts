/** `sluice version`: the version of this CLI (from package.json); it does not contact a cluster. */
import type { Command } from "commander";
import { sluiceVersion } from "../../install/version.ts";

export function registerVersionCommand(program: Command): void {
  program
    .command("version")
    .description("print the version of sluice")
    .action(async () => {
      process.stdout.write(`sluice: v${await sluiceVersion()}\n`);
    });
}
