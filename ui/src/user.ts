/**
 * Who is logged in, read once per login: the page hides what a viewer of a team may not press
 * (the server refuses it anyway).
 */
import { useEffect, useState } from "preact/hooks";
import { get, type ApiUser } from "./api.ts";

let current: Promise<ApiUser> | undefined;

export function forgetUser(): void {
  current = undefined;
}

export function useUser(): ApiUser | undefined {
  const [user, setUser] = useState<ApiUser | undefined>(undefined);
  useEffect(() => {
    current ??= get<ApiUser>("/api/v1/user");
    current.then(setUser, () => (current = undefined));
  }, []);
  return user;
}

/** Whether the user may change the team's pipelines and builds (not only look). */
export const mayChange = (user: ApiUser | undefined, team: string | undefined) =>
  !!user && !!team && (user.is_admin || (user.teams[team] ?? []).includes("owner"));
