/**
 * Teams and their members (`local:NAME`, `system:serviceaccount:NS:NAME`), set by set-team:
 * owners, who may change the team's pipelines and builds, and viewers, who may only look.
 */
import type { RenameTeamResult, Team, TeamMembers } from "../store.ts";
import type { SqlSession } from "./database.ts";

interface TeamRow {
  id: number;
  name: string;
  auth: string;
}

const toTeam = (r: TeamRow): Team => {
  const auth = JSON.parse(r.auth) as { members?: string[]; viewers?: string[] };
  return { id: r.id, name: r.name, members: auth.members ?? [], viewers: auth.viewers ?? [] };
};

const sorted = (users: readonly string[]) => [...new Set(users)].sort();

/** The team named `name`, created (with no members) when missing. */
export async function ensureTeam(q: SqlSession, name: string, now: number): Promise<Team> {
  await q.run("INSERT INTO teams (name, created_at) VALUES (:name, :now) ON CONFLICT (name) DO NOTHING", {
    name,
    now,
  });
  return toTeam((await q.get<TeamRow>("SELECT id, name, auth FROM teams WHERE name = :name", { name }))!);
}

export class Teams {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async list(): Promise<Team[]> {
    return (await this.#db.all<TeamRow>("SELECT id, name, auth FROM teams ORDER BY name")).map(toTeam);
  }

  /** Replaces the team's owners and viewers, creating the team when missing. */
  setMembers(name: string, members: TeamMembers, now: number): Promise<{ team: Team; created: boolean }> {
    return this.#db.transaction(async (tx) => {
      const created = (await tx.get("SELECT id FROM teams WHERE name = :name", { name })) === undefined;
      await ensureTeam(tx, name, now);
      const auth = JSON.stringify({
        members: sorted(members.owners),
        viewers: sorted(members.viewers ?? []),
      });
      await tx.run("UPDATE teams SET auth = :auth WHERE name = :name", { name, auth });
      return { team: await ensureTeam(tx, name, now), created };
    });
  }

  /** Removes the team with its pipelines and builds; answers the builds removed (undefined: no such team). */
  destroy(name: string): Promise<number[] | undefined> {
    return this.#db.transaction(async (tx) => {
      const team = await tx.get<{ id: number }>("SELECT id FROM teams WHERE name = :name", { name });
      if (!team) return undefined;
      const builds = await tx.all<{ id: number }>("SELECT id FROM builds WHERE team_id = :id", team);
      await tx.run("DELETE FROM teams WHERE id = :id", team);
      return builds.map((b) => b.id);
    });
  }

  rename(from: string, to: string): Promise<RenameTeamResult> {
    return this.#db.transaction(async (tx) => {
      if (await tx.get("SELECT id FROM teams WHERE name = :to", { to })) return "taken";
      const changed = await tx.run("UPDATE teams SET name = :to WHERE name = :from", { from, to });
      return changed === 1 ? "renamed" : "missing";
    });
  }
}
