/**
 * `sluice diff kustomization NAME [--path DIR]`: build as `build` does, server-side dry-run apply
 * every object as the controller would (field manager kustomize-controller, forced) and compare
 * with the live object; list what would be created, changed or pruned.
 * Exit codes, as diff(1) and `kubectl diff`: 0 identical, 1 differences, 2 usage, 3 failure.
 */
import type { Command } from "commander";
import { clusterChanges, DryRunError } from "../../kustomize/cluster-diff.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import {
  kustomizationBuildCommand,
  renderKustomization,
  withKustomization,
  type BuildFlags,
} from "../shared/kustomization-render.ts";
import { say } from "../shared/output.ts";

/** Any failure of `diff` other than a usage error: 1 means "differences found". */
export const diffFailed = 3;

async function diffKustomization(name: string, flags: BuildFlags): Promise<void> {
  const changes = await withKustomization(name, flags, async (client, ks, local) => {
    say.action("building manifests");
    const objects = await renderKustomization(client, ks, local, flags);
    say.action(`comparing ${objects.length} objects with the cluster`);
    return clusterChanges(client, ks, objects).catch((err: unknown) => {
      throw err instanceof DryRunError ? new SluiceError(err.message, { cause: err }) : err;
    });
  });
  for (const c of changes) process.stdout.write(`► ${c.subject} ${c.action}\n${c.diff ?? ""}`);
  if (changes.length === 0) say.success("no changes: the cluster matches the build");
  else process.exitCode = ExitCode.failure;
}

/** Failures exit 3, so that 1 keeps meaning "differences found". */
async function run(name: string, flags: BuildFlags): Promise<void> {
  try {
    await diffKustomization(name, flags);
  } catch (err) {
    if (err instanceof SluiceError && err.exitCode !== ExitCode.failure) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof SluiceError ? err.hint : undefined;
    throw new SluiceError(message, { exitCode: diffFailed, cause: err, ...(hint ? { hint } : {}) });
  }
}

export function registerDiffCommands(program: Command): void {
  kustomizationBuildCommand(
    program,
    "diff",
    "compare Flux objects' builds with the cluster",
    "show what applying a Kustomization's build would change: created, drifted and pruned objects (exit 1 when anything differs)",
  ).action(run);
}
