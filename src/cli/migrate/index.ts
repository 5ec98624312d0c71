/** `sluice migrate flux-v1 --path DIR`: prints the Flux v2 objects and markers for a Flux v1 repository. */
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { commandGroup } from "../shared/kinds.ts";
import { say } from "../shared/output.ts";
import { migrate, readYamlFiles, renderMigration } from "./flux-v1.ts";

interface MigrateFlags {
  path: string;
  namespace: string;
  source: string;
  gitPath: string;
  registryInsecureHost: string;
}

export function registerMigrateCommands(program: Command): void {
  commandGroup(program, "migrate", "print what another tool's configuration becomes in Flux v2")
    .command("flux-v1")
    .description("print the Flux v2 objects and marker comments equivalent to Flux v1 workload annotations")
    .requiredOption("--path <dir>", "directory of the repository to read")
    .option("-n, --namespace <ns>", "namespace of the printed objects", "flux-system")
    .option("--source <name>", "GitRepository the image update automation pushes to", "flux-system")
    .option("--git-path <dir>", "the v1 daemon's --git-path: the automation's update path", "")
    .option("--registry-insecure-host <hosts>", "comma-separated registries spoken to over HTTP", "")
    .action(async (flags: MigrateFlags) => {
      const isDir = await stat(flags.path).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir)
        throw new SluiceError(`--path ${flags.path} is not a directory`, { exitCode: ExitCode.usage });
      const migration = migrate(await readYamlFiles(flags.path), {
        namespace: flags.namespace,
        source: flags.source,
        path: flags.gitPath,
        registryInsecureHosts: flags.registryInsecureHost.split(",").filter(Boolean),
      });
      for (const problem of migration.problems) say.warning(problem);
      process.stdout.write(renderMigration(migration));
    });
}
