/**
 * `GET /api/v1/cd/stream`: the delivery objects as server-sent events, driven by Kubernetes
 * watches. First a `reset` with every object of a kind, then `upsert` and `delete` deltas as the
 * cluster changes; a watch the API server expires is listed again (another `reset` of that kind).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fluxApiVersions } from "../api/kinds.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { watch } from "../kube/watch.ts";
import { openEventStream, type EventStream } from "../http/event-stream.ts";
import type { RequestContext } from "../http/router.ts";
import { deliveryKinds, summary, type DeliveryKind, type DeliveryObject } from "./cd-objects.ts";

const WATCH_SECONDS = 300;
const RETRY_MS = 2_000;

/** Streams one kind until `signal` aborts: list, then watch from the list's version, again on expiry. */
async function followKind(kube: KubeClient, kind: DeliveryKind, stream: EventStream) {
  const { signal } = stream;
  const apiVersion = fluxApiVersions[kind];
  while (!signal.aborted) {
    try {
      const list = await kube.list<DeliveryObject>(apiVersion, kind);
      stream.send("reset", { kind, objects: list.items.map((item) => summary({ ...item, kind })) });
      let version = list.metadata.resourceVersion ?? "";
      let expired = false;
      while (!signal.aborted && !expired) {
        const events = watch<DeliveryObject>(
          kube,
          { apiVersion, kind, resourceVersion: version, timeoutSeconds: WATCH_SECONDS },
          signal,
        );
        for await (const event of events) {
          if (event.type === "EXPIRED") expired = true;
          if (event.type === "EXPIRED" || event.type === "ERROR") break;
          version = event.object.metadata.resourceVersion ?? version;
          if (event.type === "BOOKMARK") continue;
          const object = summary({ ...event.object, kind });
          stream.send(event.type === "DELETED" ? "delete" : "upsert", object);
        }
      }
    } catch (error) {
      // a kind whose CRD is not installed has nothing to stream; other failures are retried
      if (isNotFound(error)) return;
      await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}

export async function streamDelivery(kube: KubeClient, ctx: RequestContext): Promise<void> {
  const stream = openEventStream(ctx);
  try {
    await Promise.all(deliveryKinds.map((kind) => followKind(kube, kind, stream)));
  } finally {
    stream.end();
  }
}
