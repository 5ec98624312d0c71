/**
 * `GET /api/v1/teams/:team/volumes`: what the worker holds on disk for the team (and, for team
 * main, what the whole worker shares: images), in Concourse's fields plus size, last use and why
 * it is kept.
 */
import os from "node:os";
import type { Router } from "../../http/router.ts";
import type { WorkerVolume } from "../sandbox/volumes/worker-volumes.ts";
import { authorizedTeam, type ApiDeps } from "./context.ts";
import { handled, sendJson } from "./respond.ts";

const adminTeam = "main";

export interface ApiVolume {
  id: string;
  worker_name: string;
  type: WorkerVolume["type"];
  container_handle: string;
  path: string;
  pipeline_name: string;
  job_name: string;
  step_name: string;
  build_id: number | null;
  size_bytes: number;
  used_at: number;
  held_by: string;
}

const present = (volume: WorkerVolume): ApiVolume => ({
  id: volume.handle,
  worker_name: os.hostname(),
  type: volume.type,
  container_handle: volume.type === "container" ? volume.handle : "",
  path: volume.path,
  pipeline_name: volume.pipeline ?? "",
  job_name: volume.job ?? "",
  step_name: volume.step ?? "",
  build_id: volume.buildId ?? null,
  size_bytes: volume.bytes,
  used_at: Math.floor(volume.usedAt / 1000),
  held_by: volume.heldBy,
});

export function volumeRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/teams/:team/volumes",
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      const all = (await deps.volumes?.list()) ?? [];
      const visible = all.filter((v) => v.team === team || (v.team === undefined && team === adminTeam));
      sendJson(ctx.res, 200, visible.map(present));
    }),
  );
}
