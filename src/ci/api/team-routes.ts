/**
 * Teams, as Concourse's API: list the teams one may see; set a team's owners and viewers, destroy
 * and rename a team (admins only, that is owners of main). Members are `local:NAME` users and
 * `system:serviceaccount:NS:NAME` ServiceAccounts; a team's ((vars)) come from the namespace
 * `concourse-TEAM` whatever its members.
 */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { Router } from "../../http/router.ts";
import type { Team } from "../store/index.ts";
import { MAIN_TEAM } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { ApiError, badRequest, checkedName, notFound } from "./errors.ts";
import { handled, readJsonObject, sendEmpty, sendJson } from "./respond.ts";

const TEAM = "/api/v1/teams/:team";
/** What `concourse-` leaves of a namespace name for the team. */
const TEAM_NAME_MAX = 63 - "concourse-".length;
const MEMBER = /^(local:[^\s:]+|system:serviceaccount:[a-z0-9][-a-z0-9.]*:[a-z0-9][-a-z0-9.]*)$/;

const Users = z.object({
  users: z.array(z.string().regex(MEMBER, "expected local:NAME or system:serviceaccount:NAMESPACE:NAME")),
  groups: z.array(z.string()).max(0, "groups are not served: name users or ServiceAccounts").default([]),
});

/** Concourse's roles: owners change the team's pipelines and builds; viewers only look. */
const TeamRequest = z.object({
  auth: z.object({ owner: Users, viewer: Users.optional() }),
});

export const presentTeam = (team: Team) => ({
  id: team.id,
  name: team.name,
  auth: {
    owner: { users: team.members, groups: [] },
    ...(team.viewers.length > 0 && { viewer: { users: team.viewers, groups: [] } }),
  },
});

export function teamRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/teams",
    handled(async (ctx) => {
      const identity = await deps.auth.identify(ctx.req);
      const teams = await deps.store.listTeams();
      const visible = identity.admin ? teams : teams.filter((t) => identity.teams.includes(t.name));
      sendJson(ctx.res, 200, visible.map(presentTeam));
    }),
  );
  router.on(
    "PUT",
    TEAM,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req, "set a team");
      const name = checkedName("team name", ctx.params["team"] ?? "", TEAM_NAME_MAX);
      const parsed = TeamRequest.safeParse(await readJsonObject(ctx.req));
      if (!parsed.success)
        throw badRequest(
          `invalid team: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      const owners = parsed.data.auth.owner.users;
      if (name === MAIN_TEAM && owners.length === 0 && !deps.auth.hasMainTeamLocalUsers())
        throw badRequest("team main needs an owner: it would have no admin left");
      const viewers = parsed.data.auth.viewer?.users ?? [];
      const { team, created } = await deps.store.setTeamMembers(name, { owners, viewers });
      sendJson(ctx.res, created ? 201 : 200, presentTeam(team));
    }),
  );
  router.on(
    "DELETE",
    TEAM,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req, "destroy a team");
      const name = ctx.params["team"] ?? "";
      if (name === MAIN_TEAM) throw new ApiError(403, "team main cannot be destroyed");
      if (!(await deps.store.destroyTeam(name))) throw notFound(`team ${name}`);
      sendEmpty(ctx.res, 204);
    }),
  );
  router.on(
    "PUT",
    `${TEAM}/rename`,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req, "rename a team");
      const from = ctx.params["team"] ?? "";
      const body = await readJsonObject(ctx.req);
      const to = checkedName(
        "team name",
        typeof body["name"] === "string" ? body["name"] : "",
        TEAM_NAME_MAX,
      );
      if (from === MAIN_TEAM || to === MAIN_TEAM) throw new ApiError(403, "team main cannot be renamed");
      const result = await deps.store.renameTeam(from, to);
      if (result === "missing") throw notFound(`team ${from}`);
      if (result === "taken") throw new ApiError(409, `team ${to} already exists`);
      sendEmpty(ctx.res, 204);
    }),
  );
}

async function asAdmin(deps: ApiDeps, req: IncomingMessage, what: string): Promise<void> {
  const identity = await deps.auth.identify(req);
  if (!identity.admin) throw new ApiError(403, `forbidden: only admins (members of main) can ${what}`);
}
