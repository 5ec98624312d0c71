/**
 * `sluice ci`: fly's verbs for the CI engine. `-t/--target` is the group's option, accepted
 * before or after the verb as fly accepts it; verbs that talk to no server ignore it.
 */
import type { Command } from "commander";
import { registerExecuteCommand } from "./execute.ts";
import { registerValidatePipelineCommand } from "./validate-pipeline.ts";

export function registerCiCommands(program: Command): void {
  const ci = program
    .command("ci")
    .description("Concourse pipelines: fly's verbs (validate-pipeline, execute)")
    .option("-t, --target <name>", "the Concourse-style target (a saved server URL and team)")
    .configureHelp({ showGlobalOptions: true });
  registerValidatePipelineCommand(ci);
  registerExecuteCommand(ci);
}
