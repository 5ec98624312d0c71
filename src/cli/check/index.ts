/** `sluice check [--pre]`: the Kubernetes version, then the server's Deployment and CRDs, as `flux check` prints them. */
import type { Command } from "commander";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { checkInstallation, checkPrerequisites, type CheckSection } from "../../install/check.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";

interface CheckFlags extends KubeFlags {
  pre: boolean;
}

/** Prints a section; whether every finding in it passed. */
function print(section: CheckSection): boolean {
  say.action(section.title);
  const show = { ok: say.success, failed: say.failure, info: say.action };
  for (const f of section.findings) show[f.status](f.message);
  return section.findings.every((f) => f.status !== "failed");
}

export function registerCheckCommand(program: Command): void {
  addKubeFlags(
    program
      .command("check")
      .description("check the cluster's prerequisites and the installation's controllers and CRDs")
      .option("--pre", "only check the prerequisites", false),
  ).action(async (flags: CheckFlags) => {
    await withCluster(flags, async (client) => {
      const sections = [await checkPrerequisites(client)];
      if (!flags.pre) sections.push(...(await checkInstallation(client, flags.namespace)));
      const results = sections.map(print);
      if (results.includes(false)) throw new SluiceError("check failed", { exitCode: ExitCode.failure });
      say.success(flags.pre ? "prerequisites checks passed" : "all checks passed");
    });
  });
}
