/**
 * Delivery traces for the web UI, admins only (they read the whole cluster):
 * `/api/v1/trace/builds/:id` follows a build forwards to the Pods running what it pushed;
 * `/api/v1/trace/workloads/:kind/:namespace/:name` follows a workload back to its build and commit.
 */
import type { Auth } from "../ci/api/auth.ts";
import { ApiError, notFound } from "../ci/api/errors.ts";
import { handled, sendJson } from "../ci/api/respond.ts";
import type { Router } from "../http/router.ts";
import { traceableWorkloads, WorkloadNotFound, type DeliveryTracer } from "../trace/index.ts";
import { asAdmin } from "./cd-routes.ts";

export function traceRoutes(router: Router, deps: { auth: Auth; tracer: DeliveryTracer }): void {
  router.on(
    "GET",
    "/api/v1/trace/builds/:id",
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      const id = Number(ctx.params["id"]);
      const trace = Number.isSafeInteger(id) ? await deps.tracer.fromBuild(id) : undefined;
      if (!trace) throw notFound(`build ${ctx.params["id"]}`);
      sendJson(ctx.res, 200, trace);
    }),
  );
  router.on(
    "GET",
    "/api/v1/trace/workloads/:kind/:namespace/:name",
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      const kind = traceableWorkloads.find((k) => k === ctx.params["kind"]);
      if (!kind)
        throw new ApiError(
          400,
          `cannot trace a ${ctx.params["kind"]}: trace a ${traceableWorkloads.join(", ")}`,
        );
      try {
        sendJson(
          ctx.res,
          200,
          await deps.tracer.fromWorkload(kind, ctx.params["namespace"] ?? "", ctx.params["name"] ?? ""),
        );
      } catch (error) {
        if (error instanceof WorkloadNotFound)
          throw notFound(`${kind} ${ctx.params["namespace"]}/${ctx.params["name"]}`);
        throw error;
      }
    }),
  );
}
