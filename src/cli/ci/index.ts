/**
 * `sluice ci`: fly's verbs for the CI engine. `-t/--target` is the group's option, accepted
 * before or after the verb as fly accepts it; verbs that talk to no server ignore it.
 */
import type { Command } from "commander";
import { registerBuildCommands } from "./builds.ts";
import { registerExecuteCommand } from "./execute.ts";
import { registerContainerCommands } from "./intercept.ts";
import { registerLoginCommands } from "./login.ts";
import { registerPipelineCommands } from "./pipelines.ts";
import { registerResourceCommands } from "./resources.ts";
import { registerRunGitlabCommand } from "./run-gitlab.ts";
import { registerRunWorkflowCommand } from "./run-workflow.ts";
import { registerSetProjectCommand } from "./set-project.ts";
import { registerTeamCommands } from "./teams.ts";
import { registerValidatePipelineCommand } from "./validate-pipeline.ts";
import { registerVolumeCommands } from "./volumes.ts";

export function registerCiCommands(program: Command): void {
  const ci = program
    .command("ci")
    .description(
      "Concourse pipelines: fly's verbs (login, targets, set-pipeline, pipelines, trigger-job, watch, builds, check-resource, execute, …)",
    )
    .option("-t, --target <name>", "the Concourse-style target (a saved server URL and team)")
    .configureHelp({ showGlobalOptions: true });
  registerLoginCommands(ci);
  registerValidatePipelineCommand(ci);
  registerTeamCommands(ci);
  registerPipelineCommands(ci);
  registerBuildCommands(ci);
  registerResourceCommands(ci);
  registerExecuteCommand(ci);
  registerRunGitlabCommand(ci);
  registerRunWorkflowCommand(ci);
  registerSetProjectCommand(ci);
  registerVolumeCommands(ci);
  registerContainerCommands(ci);
}
