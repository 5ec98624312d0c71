/**
 * `sluice ci volumes`: fly's volumes, with what fly leaves out — each volume's size, when it was
 * last used and why it is still on the worker's disk, so a filling disk can be explained.
 */
import type { Command } from "commander";
import type { ApiVolume } from "../../ci/api/client.ts";
import { humanBytes } from "../stats/counts.ts";
import { printJson, table } from "./output.ts";
import { withSession } from "./session.ts";

function identifier(volume: ApiVolume): string {
  const job = volume.pipeline_name ? `${volume.pipeline_name}/${volume.job_name}` : "";
  const build = volume.build_id === null ? "" : `build ${volume.build_id}`;
  return [job, volume.step_name, volume.type === "build" ? build : ""].filter(Boolean).join(" ");
}

export function registerVolumeCommands(ci: Command): void {
  ci.command("volumes")
    .alias("vs")
    .description(
      "list what the worker holds on disk for the team: task caches, images, containers, build artifacts",
    )
    .option("-d, --details", "show each volume's path and why it is kept", false)
    .option("--json", "print JSON", false)
    .action(async (flags: { details: boolean; json: boolean }, command: Command) => {
      const volumes = await withSession(command, ({ client, team }) => client.listVolumes(team));
      if (flags.json) return printJson(volumes);
      const header = ["handle", "worker", "type", "identifier", "size", "last used"];
      const detail = (v: ApiVolume) => (flags.details ? [v.held_by, v.path] : []);
      table([
        [...header, ...(flags.details ? ["held by", "path"] : [])],
        ...volumes.map((v) => [
          v.id,
          v.worker_name,
          v.type,
          identifier(v),
          humanBytes(v.size_bytes),
          new Date(v.used_at * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
          ...detail(v),
        ]),
      ]);
      const total = volumes.reduce((sum, v) => sum + v.size_bytes, 0);
      process.stdout.write(`\n${volumes.length} volumes, ${humanBytes(total)}\n`);
    });
}
