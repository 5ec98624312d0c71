/** Pages of builds, newest first: older than an id (`until`), or just newer than one (`since`). */
import type { BuildFilter, BuildPage, ListBuildsOptions } from "../store.ts";
import type { Params, SqlSession } from "./database.ts";
import { toBuild, type BuildRow } from "./rows.ts";

/** `select` reads builds as `b`; `where` conditions are ANDed. */
export async function pageOfBuilds<T extends { id: number }>(
  q: SqlSession,
  query: { select: string; where: string[]; params: Params },
  options: ListBuildsOptions,
): Promise<T[]> {
  const params = { ...query.params, limit: options.limit };
  if (options.afterId !== undefined) {
    const where = [...query.where, "b.id > :afterId"].join(" AND ");
    return q.all<T>(
      `SELECT * FROM (${query.select} WHERE ${where} ORDER BY b.id LIMIT :limit) AS page ORDER BY id DESC`,
      { ...params, afterId: options.afterId },
    );
  }
  const where = [...query.where, "b.id < :beforeId"].join(" AND ");
  return q.all<T>(`${query.select} WHERE ${where} ORDER BY b.id DESC LIMIT :limit`, {
    ...params,
    beforeId: options.beforeId ?? Number.MAX_SAFE_INTEGER,
  });
}

const listed = `SELECT b.*, t.name AS team_name, p.name AS pipeline_name, j.name AS job_name
  FROM builds b JOIN teams t ON t.id = b.team_id
  LEFT JOIN pipelines p ON p.id = b.pipeline_id LEFT JOIN jobs j ON j.id = b.job_id`;

type ListedRow = BuildRow & { team_name: string; pipeline_name: string | null; job_name: string | null };

export async function listBuilds(
  q: SqlSession,
  filter: BuildFilter,
  options: ListBuildsOptions,
): Promise<BuildPage> {
  const query = filterOf(filter);
  const rows = await pageOfBuilds<ListedRow>(q, { select: listed, ...query }, options);
  const builds = rows.map((r) => ({
    ...toBuild(r),
    team: r.team_name,
    pipelineName: r.pipeline_name ?? undefined,
    jobName: r.job_name ?? undefined,
  }));
  const exists = async (condition: string, id: number) =>
    (await q.get(`${listed} WHERE ${[...query.where, condition].join(" AND ")} LIMIT 1`, {
      ...query.params,
      id,
    })) !== undefined;
  const newest = builds[0]?.id;
  const oldest = builds.at(-1)?.id;
  return {
    builds,
    hasOlder: oldest === undefined ? options.afterId !== undefined : await exists("b.id < :id", oldest),
    hasNewer: newest === undefined ? options.beforeId !== undefined : await exists("b.id > :id", newest),
  };
}

function filterOf(filter: BuildFilter): { where: string[]; params: Params } {
  const where = ["1 = 1"];
  const params: Params = {};
  if (filter.teams) {
    const names = filter.teams.map((team, i) => ((params[`team${i}`] = team), `:team${i}`));
    where.push(names.length > 0 ? `t.name IN (${names.join(", ")})` : "1 = 0");
  }
  if (filter.pipelineId !== undefined) {
    where.push("b.pipeline_id = :pipelineId");
    params["pipelineId"] = filter.pipelineId;
  }
  if (filter.jobId !== undefined) {
    where.push("b.job_id = :jobId");
    params["jobId"] = filter.jobId;
  }
  return { where, params };
}
