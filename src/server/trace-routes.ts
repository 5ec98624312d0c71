/**
 * Delivery traces and a Kustomization's history for the web UI, admins only (they read the whole
 * cluster): `/api/v1/trace/builds/:id` follows a build forwards to the Pods running what it
 * pushed; `/api/v1/trace/workloads/:kind/:namespace/:name` follows a workload back to its build
 * and commit; a Kustomization's `revisions` lists its commits and which were applied,
 * `revisions/:sha/revert` rolls one back by a revert commit in git, and `diff` shows what applying
 * its source's current build would change in the cluster (`sluice diff kustomization`).
 */
import type { Auth } from "../ci/api/auth.ts";
import { ApiError, notFound } from "../ci/api/errors.ts";
import { handled, sendJson } from "../ci/api/respond.ts";
import type { Router } from "../http/router.ts";
import type { KubeClient } from "../kube/client.ts";
import { traceableWorkloads, WorkloadNotFound, type DeliveryTracer } from "../trace/index.ts";
import { RevertRefused } from "../trace/config-history.ts";
import type { KustomizationHistory } from "../trace/revisions.ts";
import { parseKustomization } from "../api/kustomize/kustomization/index.ts";
import { upstreamBinary } from "../common/toolchain.ts";
import { clusterChanges, DryRunError } from "../kustomize/cluster-diff.ts";
import { KustomizeError } from "../kustomize/index.ts";
import { renderFromSource } from "../kustomize/render-from-source.ts";
import { SourceArtifactError } from "../kustomize/source-artifact.ts";
import { asAdmin, objectOf } from "./cd-routes.ts";

interface TraceDeps {
  auth: Auth;
  kube: KubeClient;
  tracer: DeliveryTracer;
  history: KustomizationHistory;
}

const KUSTOMIZATION = "/api/v1/cd/objects/Kustomization/:namespace/:name";

export function traceRoutes(router: Router, deps: TraceDeps): void {
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
      const [namespace, name] = [ctx.params["namespace"] ?? "", ctx.params["name"] ?? ""];
      try {
        sendJson(ctx.res, 200, await deps.tracer.fromWorkload(kind, namespace, name));
      } catch (error) {
        if (error instanceof WorkloadNotFound) throw notFound(`${kind} ${namespace}/${name}`);
        throw error;
      }
    }),
  );
  revisionRoutes(router, deps);
}

function revisionRoutes(router: Router, deps: TraceDeps): void {
  const kustomization = async (params: Readonly<Record<string, string | undefined>>) =>
    (await objectOf(deps.kube, { ...params, kind: "Kustomization" })).obj;
  router.on(
    "GET",
    `${KUSTOMIZATION}/revisions`,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      sendJson(ctx.res, 200, await deps.history.revisions(await kustomization(ctx.params)));
    }),
  );
  router.on(
    "GET",
    `${KUSTOMIZATION}/diff`,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      const ks = parseKustomization(await kustomization(ctx.params)).object;
      try {
        const objects = await renderFromSource(deps.kube, ks, {
          kustomizeBinary: await upstreamBinary("kustomize"),
          signal: AbortSignal.timeout(60_000),
        });
        const changes = await clusterChanges(deps.kube, ks, objects);
        sendJson(ctx.res, 200, { objects: objects.length, changes });
      } catch (error) {
        if (
          error instanceof DryRunError ||
          error instanceof SourceArtifactError ||
          error instanceof KustomizeError
        )
          throw new ApiError(422, error.message);
        throw error;
      }
    }),
  );
  router.on(
    "POST",
    `${KUSTOMIZATION}/revisions/:sha/revert`,
    handled(async (ctx) => {
      const identity = await asAdmin(deps, ctx.req);
      const sha = ctx.params["sha"] ?? "";
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha))
        throw new ApiError(400, `${sha} is not a full commit id`);
      try {
        const commit = await deps.history.revert(await kustomization(ctx.params), sha, identity.user);
        sendJson(ctx.res, 201, { commit });
      } catch (error) {
        if (error instanceof RevertRefused) throw new ApiError(409, error.message);
        throw error;
      }
    }),
  );
}
