/** The CI HTTP API under /api/v1, shaped as Concourse's (atc/routes.go), on one Router. */
import { Router } from "../../http/router.ts";
import { authRoutes, type ServerInfo } from "./auth-routes.ts";
import { buildListRoutes } from "./build-list-routes.ts";
import { buildRoutes } from "./build-routes.ts";
import { changeStreamRoute } from "./change-stream.ts";
import { executionRoutes } from "./execution-routes.ts";
import type { ApiDeps } from "./context.ts";
import { allJobsRoute, jobRoutes } from "./job-routes.ts";
import { pipelineRoutes } from "./pipeline-routes.ts";
import { teamRoutes } from "./team-routes.ts";
import { projectRoutes } from "./project-routes.ts";
import { resourceRoutes } from "./resource-routes.ts";
import { volumeRoutes } from "./volume-routes.ts";
import { containerRoutes } from "./container-routes.ts";

export function ciApiRouter(deps: ApiDeps, info: ServerInfo, router = new Router()): Router {
  authRoutes(router, deps, info);
  teamRoutes(router, deps);
  pipelineRoutes(router, deps);
  projectRoutes(router, deps);
  jobRoutes(router, deps);
  allJobsRoute(router, deps);
  resourceRoutes(router, deps);
  buildRoutes(router, deps);
  buildListRoutes(router, deps);
  changeStreamRoute(router, deps);
  executionRoutes(router, deps);
  volumeRoutes(router, deps);
  containerRoutes(router, deps);
  return router;
}
