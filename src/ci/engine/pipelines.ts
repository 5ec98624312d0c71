/** Pipelines as the loops look them up; the store names pipelines by team and name only. */
import type { CiStore, PipelineRecord } from "../store/index.ts";

export async function allPipelines(store: CiStore): Promise<PipelineRecord[]> {
  const teams = await store.listTeams();
  return (await Promise.all(teams.map((team) => store.listPipelines(team.name)))).flat();
}

/** The pipelines the loops work on: neither paused nor archived. */
export async function activePipelines(store: CiStore): Promise<PipelineRecord[]> {
  return (await allPipelines(store)).filter((p) => !p.paused && !p.archived);
}

export async function pipelineById(store: CiStore, id: number): Promise<PipelineRecord | undefined> {
  return (await allPipelines(store)).find((p) => p.id === id);
}
