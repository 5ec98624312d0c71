/** `sluice build kustomization NAME [--path DIR]`: print what the controller would apply, as multi-document YAML. */
import type { Command } from "commander";
import { objectName } from "./flags.ts";
import { commandGroup, kindCommand, kustomizationKind as kind } from "./kinds.ts";
import { addKubeFlags, withCluster } from "./kube-flags.ts";
import {
  addBuildFlags,
  loadKustomization,
  localSource,
  renderKustomization,
  type BuildFlags,
} from "./kustomization-build.ts";
import { renderYaml } from "./output.ts";

async function build(name: string, flags: BuildFlags): Promise<void> {
  objectName(kind.kind, name);
  const local = await localSource(flags.path);
  const objects = await withCluster(flags, async (client) => {
    const ks = await loadKustomization(client, name, flags.namespace);
    return renderKustomization(client, ks, local, flags);
  });
  process.stdout.write(renderYaml(objects));
}

export function registerBuildCommands(program: Command): void {
  const verb = commandGroup(program, "build", "render Flux objects locally");
  addBuildFlags(
    addKubeFlags(
      kindCommand(verb, "build", kind.words, kind)
        .description(
          "print the objects a Kustomization would apply, built on this machine as the controller builds them",
        )
        .argument("<name>", "name of the Kustomization"),
    ),
  ).action(build);
}
