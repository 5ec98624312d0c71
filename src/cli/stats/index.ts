/** `sluice stats [-A]`: per kind, the objects running, failing and suspended, and the storage their artifacts use. */
import type { Command } from "commander";
import { cliKinds, isServed, listObjects } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type ListFlags } from "../shared/kube-flags.ts";
import { renderTable } from "../shared/output.ts";
import { humanBytes, kindStats } from "./counts.ts";

export function registerStatsCommand(program: Command): void {
  addKubeFlags(
    program
      .command("stats")
      .description("count the Flux objects per kind: running, failing, suspended, storage"),
    { allNamespaces: true },
  ).action(async (flags: ListFlags) => {
    await withCluster(flags, async (client) => {
      const rows: string[][] = [];
      for (const kind of cliKinds) {
        if (kind.statusless) continue;
        const served = await isServed(client, kind);
        const objects = served
          ? await listObjects(client, kind, flags.allNamespaces ? undefined : flags.namespace)
          : [];
        const s = kindStats(kind.kind, objects);
        rows.push([s.kind, String(s.running), String(s.failing), String(s.suspended), humanBytes(s.storage)]);
      }
      process.stdout.write(renderTable(["RECONCILERS", "RUNNING", "FAILING", "SUSPENDED", "STORAGE"], rows));
    });
  });
}
