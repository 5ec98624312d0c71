/**
 * Logging in and who am I: `POST /sky/issuer/token` (the OAuth2 password grant fly uses),
 * `GET /api/v1/user`, and the unauthenticated `GET /api/v1/info`.
 */
import type { Router } from "../../http/router.ts";
import type { ApiDeps } from "./context.ts";
import { ApiError } from "./errors.ts";
import { handled, readText, sendJson } from "./respond.ts";

export interface ServerInfo {
  version: string;
  externalUrl?: string | undefined;
  clusterName?: string | undefined;
}

export function authRoutes(router: Router, deps: ApiDeps, info: ServerInfo): void {
  router.on(
    "GET",
    "/api/v1/info",
    handled(({ res }) =>
      sendJson(res, 200, {
        version: info.version,
        worker_version: info.version,
        external_url: info.externalUrl ?? "",
        cluster_name: info.clusterName ?? "",
      }),
    ),
  );
  router.on(
    "POST",
    "/sky/issuer/token",
    handled(async ({ req, res }) => {
      const form = new URLSearchParams(await readText(req));
      if (form.get("grant_type") !== "password")
        throw new ApiError(400, "unsupported grant_type: only password is served");
      const token = await deps.auth.login(form.get("username") ?? "", form.get("password") ?? "");
      if (!token) throw new ApiError(401, "invalid username or password");
      sendJson(res, 200, {
        access_token: token,
        id_token: token,
        token_type: "bearer",
        expires_in: deps.auth.tokenLifetimeSeconds,
      });
    }),
  );
  router.on(
    "GET",
    "/api/v1/user",
    handled(async ({ req, res }) => {
      const identity = await deps.auth.identify(req);
      const name = identity.user.replace(/^local:/, "");
      sendJson(res, 200, {
        sub: identity.user,
        name,
        user_id: identity.user,
        user_name: name,
        is_admin: identity.admin,
        is_system: false,
        teams: Object.fromEntries(
          identity.teams.map((t) => [t, [identity.viewerOf?.includes(t) ? "viewer" : "owner"]]),
        ),
      });
    }),
  );
}
