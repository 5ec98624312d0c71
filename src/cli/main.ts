#!/usr/bin/env node
/** The `sluice` program: one folder per command group, each registered here, and the one top-level error handler. */
import { Command, CommanderError } from "commander";
import { ExitCode, SluiceError } from "../common/errors.ts";
import { registerDemoCommand } from "./demo/index.ts";
import { registerDevCommands } from "./dev/index.ts";
import { registerServerCommand } from "./server/index.ts";
import { registerInstallCommands } from "./install/index.ts";
import { registerCreateCommands } from "./create/index.ts";
import { registerGetCommands } from "./get/index.ts";
import { registerReconcileCommands } from "./reconcile/index.ts";
import { registerSuspendResumeCommands } from "./suspend-resume/index.ts";
import { registerTriggerCommands } from "./trigger/index.ts";
import { registerDeleteCommands } from "./delete/index.ts";
import { registerBuildCommands } from "./build/index.ts";
import { registerDiffCommands } from "./diff/index.ts";
import { registerTreeCommands } from "./tree/index.ts";
import { registerEventsCommand } from "./events/index.ts";
import { registerVersionCommand } from "./version/index.ts";
import { registerCiCommands } from "./ci/index.ts";
import { registerMigrateCommands } from "./migrate/index.ts";
import { registerCheckCommand } from "./check/index.ts";
import { registerBootstrapCommands } from "./bootstrap/index.ts";
import { registerCompletionCommand } from "./completion/index.ts";
import { registerStatsCommand } from "./stats/index.ts";
import { registerExportCommands } from "./export/index.ts";
import { registerTraceCommand } from "./trace/index.ts";
import { registerLogsCommand } from "./logs/index.ts";
import { sluiceVersion } from "../install/version.ts";

async function buildProgram(): Promise<Command> {
  const program = new Command("sluice")
    .description("GitOps CI/CD: from git push to a converged Kubernetes cluster")
    .version(`sluice: v${await sluiceVersion()}`, "--version", "print the version of sluice")
    .showHelpAfterError()
    .exitOverride();
  registerDevCommands(program);
  registerDemoCommand(program);
  registerServerCommand(program);
  registerInstallCommands(program);
  registerCheckCommand(program);
  registerBootstrapCommands(program);
  registerCreateCommands(program);
  registerGetCommands(program);
  registerReconcileCommands(program);
  registerSuspendResumeCommands(program);
  registerDeleteCommands(program);
  registerExportCommands(program);
  registerTriggerCommands(program);
  registerBuildCommands(program);
  registerDiffCommands(program);
  registerTreeCommands(program);
  registerTraceCommand(program);
  registerEventsCommand(program);
  registerLogsCommand(program);
  registerStatsCommand(program);
  registerCiCommands(program);
  registerMigrateCommands(program);
  registerVersionCommand(program);
  registerCompletionCommand(program);
  return program;
}

/** The one top-level error handler: typed errors become a message and an exit code. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof SluiceError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return ExitCode.failure;
}

try {
  await (await buildProgram()).parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}
