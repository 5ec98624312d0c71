/**
 * `sluice build kustomization NAME [--path DIR]`: print what the controller would apply, as multi-document YAML;
 * `sluice build image`: build a Dockerfile (image.ts).
 */
import type { Command } from "commander";
import {
  kustomizationBuildCommand,
  renderKustomization,
  withKustomization,
  type BuildFlags,
} from "../shared/kustomization-render.ts";
import { renderYaml } from "../shared/output.ts";
import { registerImageBuild } from "./image.ts";

async function build(name: string, flags: BuildFlags): Promise<void> {
  const objects = await withKustomization(name, flags, (client, ks, local) =>
    renderKustomization(client, ks, local, flags),
  );
  process.stdout.write(renderYaml(objects));
}

export function registerBuildCommands(program: Command): void {
  const kustomization = kustomizationBuildCommand(
    program,
    "build",
    "render Flux objects locally",
    "print the objects a Kustomization would apply, built on this machine as the controller builds them",
  ).action(build);
  registerImageBuild(kustomization.parent!);
}
