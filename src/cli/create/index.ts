/** `sluice create …`: one module per family of kinds, registered in the order `create --help` lists them. */
import type { Command } from "commander";
import { registerCreateImageUpdateCommand } from "./image-update.ts";
import { registerCreateImageCommands } from "./image.ts";
import { registerCreateKustomizationCommands } from "./kustomization.ts";
import { registerCreateNotificationCommands } from "./notification.ts";
import { registerCreateSecretCommands } from "./secret.ts";
import { registerCreateSourceCommands } from "./source.ts";

export function registerCreateCommands(program: Command): void {
  registerCreateSourceCommands(program);
  registerCreateSecretCommands(program);
  registerCreateKustomizationCommands(program);
  registerCreateImageCommands(program);
  registerCreateImageUpdateCommand(program);
  registerCreateNotificationCommands(program);
}
