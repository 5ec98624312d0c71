/**
 * The delivery side for the web UI, under /api/v1/cd: every source, Kustomization and image
 * object with its readiness and revision; one object with its conditions, events and (for a
 * Kustomization) the objects it applied; reconcile,
 * suspend and resume (the same patches the CLI's verbs make). Kubernetes RBAC has no CI teams,
 * so only admins (members of main) see and act on them.
 */
import type { IncomingMessage } from "node:http";
import { fluxApiVersions, requestedAtAnnotation } from "../api/kinds.ts";
import type { Auth } from "../ci/api/auth.ts";
import type { Identity } from "../ci/api/index.ts";
import { ApiError, notFound } from "../ci/api/errors.ts";
import { handled, sendEmpty, sendJson } from "../ci/api/respond.ts";
import type { Router } from "../http/router.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { deliveryKinds, summary, type DeliveryKind, type DeliveryObject } from "./cd-objects.ts";
import { factsOf } from "./cd-facts.ts";
import { inventoryItems } from "./cd-inventory.ts";
import { streamDelivery } from "./cd-stream.ts";

interface CdDeps {
  auth: Auth;
  kube: KubeClient;
}

const OBJECT = "/api/v1/cd/objects/:kind/:namespace/:name";

export async function asAdmin(deps: { auth: Auth }, req: IncomingMessage): Promise<Identity> {
  const identity = await deps.auth.identify(req);
  if (!identity.admin)
    throw new ApiError(403, "forbidden: only admins (members of main) see delivery objects");
  return identity;
}

/** The object the route's `:kind/:namespace/:name` name, or a 404 saying which. */
export async function objectOf(kube: KubeClient, params: Readonly<Record<string, string | undefined>>) {
  const kind = deliveryKinds.find((k) => k === params["kind"]);
  const [namespace, name] = [params["namespace"] ?? "", params["name"] ?? ""];
  if (!kind) throw notFound(`kind ${params["kind"]}`);
  try {
    const obj = await kube.get<DeliveryObject>(fluxApiVersions[kind], kind, name, namespace);
    return { kind, namespace, name, obj: { ...obj, kind } };
  } catch (error) {
    if (isNotFound(error)) throw notFound(`${kind} ${namespace}/${name}`);
    throw error;
  }
}

export function cdRoutes(router: Router, deps: CdDeps): void {
  const { kube } = deps;
  router.on(
    "GET",
    "/api/v1/cd/objects",
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      const lists = await Promise.all(deliveryKinds.map((kind) => listKind(kube, kind)));
      sendJson(ctx.res, 200, lists.flat());
    }),
  );
  router.on(
    "GET",
    "/api/v1/cd/stream",
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      await streamDelivery(kube, ctx);
    }),
  );
  router.on(
    "GET",
    OBJECT,
    handled(async (ctx) => {
      await asAdmin(deps, ctx.req);
      const { kind, namespace, name, obj } = await objectOf(kube, ctx.params);
      const events = await kube.list("v1", "Event", {
        namespace,
        fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
      });
      sendJson(ctx.res, 200, {
        ...summary(obj),
        conditions: obj.status?.conditions ?? [],
        facts: factsOf(kind, obj),
        inventory: await inventoryItems(kube, obj.status?.inventory?.entries ?? []),
        events: events.items.map(presentEvent).sort((a, b) => b.time.localeCompare(a.time)),
      });
    }),
  );
  verbRoutes(router, deps);
}

/** Reconcile, suspend and resume: the merge patches the CLI's verbs make. */
function verbRoutes(router: Router, deps: CdDeps): void {
  const patch = (kind: DeliveryKind, namespace: string, name: string, body: Record<string, unknown>) =>
    deps.kube.patch({ apiVersion: fluxApiVersions[kind], kind, name, namespace }, body, { type: "merge" });
  const reconcileRequest = () => ({
    metadata: { annotations: { [requestedAtAnnotation]: new Date().toISOString() } },
  });
  const verbs: Record<string, () => Record<string, unknown>> = {
    reconcile: reconcileRequest,
    suspend: () => ({ spec: { suspend: true } }),
    resume: () => ({ spec: { suspend: false }, ...reconcileRequest() }),
  };
  for (const [verb, body] of Object.entries(verbs)) {
    router.on(
      "POST",
      `${OBJECT}/${verb}`,
      handled(async (ctx) => {
        await asAdmin(deps, ctx.req);
        const { kind, namespace, name, obj } = await objectOf(deps.kube, ctx.params);
        if (verb === "reconcile" && obj.spec?.suspend)
          throw new ApiError(409, `${kind} ${namespace}/${name} is suspended: resume it first`);
        await patch(kind, namespace, name, body());
        sendEmpty(ctx.res, 204);
      }),
    );
  }
}

/** The objects of one kind, none when its CRD is not installed. */
async function listKind(kube: KubeClient, kind: DeliveryKind) {
  try {
    const list = await kube.list<DeliveryObject>(fluxApiVersions[kind], kind);
    return list.items.map((item) => summary({ ...item, kind }));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function presentEvent(event: KubeObject) {
  const e = event as KubeObject & {
    type?: string;
    reason?: string;
    message?: string;
    lastTimestamp?: string;
    eventTime?: string;
    count?: number;
  };
  return {
    type: e.type ?? "Normal",
    reason: e.reason ?? "",
    message: e.message ?? "",
    time: e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "",
    count: e.count ?? 1,
  };
}
