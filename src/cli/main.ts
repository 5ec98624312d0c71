#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ExitCode, SluiceError } from "../common/errors.ts";
import { registerDemoCommand } from "./demo.ts";
import { registerDevCommands } from "./dev.ts";
import { registerServerCommand } from "./server.ts";
import { registerInstallCommands } from "./install.ts";
import { registerCreateSourceCommands } from "./create-source.ts";
import { registerCreateSecretCommands } from "./create-secret.ts";
import { registerCreateKustomizationCommands } from "./create-kustomization.ts";
import { registerCreateImageCommands } from "./create-image.ts";
import { registerCreateImageUpdateCommand } from "./create-image-update.ts";
import { registerCreateNotificationCommands } from "./create-notification.ts";
import { registerGetCommands } from "./get.ts";
import { registerReconcileCommands } from "./reconcile.ts";
import { registerSuspendResumeCommands } from "./suspend-resume.ts";
import { registerResumeStatuslessCommands } from "./resume-statusless.ts";
import { registerTriggerCommands } from "./trigger-receiver.ts";
import { registerDeleteCommands } from "./delete.ts";
import { registerBuildCommands } from "./build-kustomization.ts";
import { registerDiffCommands } from "./diff-kustomization.ts";
import { registerTreeCommands } from "./tree.ts";
import { registerEventsCommand } from "./events.ts";
import { registerVersionCommand } from "./version.ts";

function buildProgram(): Command {
  const program = new Command("sluice")
    .description("GitOps CI/CD: from git push to a converged Kubernetes cluster")
    .showHelpAfterError()
    .exitOverride();
  registerDevCommands(program);
  registerDemoCommand(program);
  registerServerCommand(program);
  registerInstallCommands(program);
  registerCreateSourceCommands(program);
  registerCreateSecretCommands(program);
  registerCreateKustomizationCommands(program);
  registerCreateImageCommands(program);
  registerCreateImageUpdateCommand(program);
  registerCreateNotificationCommands(program);
  registerGetCommands(program);
  registerReconcileCommands(program);
  registerSuspendResumeCommands(program);
  registerResumeStatuslessCommands(program);
  registerDeleteCommands(program);
  registerTriggerCommands(program);
  registerBuildCommands(program);
  registerDiffCommands(program);
  registerTreeCommands(program);
  registerEventsCommand(program);
  registerVersionCommand(program);
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
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}
