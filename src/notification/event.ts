import { splitApiVersion } from "../kube/objects.ts";
import type { RecordedEvent } from "../runtime/events.ts";
import type { AlertSpecLike, FluxEvent, Severity } from "./types.ts";

/** Flux's event API group: metadata under it is addressed to the notification controller. */
export const eventGroup = "event.toolkit.fluxcd.io";

/** Kubernetes event type to Flux severity: `Warning` is `error`, everything else `info`. */
export function severityOf(type: RecordedEvent["type"]): Severity {
  return type === "Warning" ? "error" : "info";
}

/** The annotation prefix the recorder uses for an object: its API group, `core` for the core group. */
export function objectGroup(apiVersion: string | undefined): string {
  return splitApiVersion(apiVersion ?? "").group || "core";
}

/** The event as Flux's notification controller receives it: metadata keys still carry their group prefix. */
export function toFluxEvent(e: RecordedEvent, reportingInstance?: string): FluxEvent {
  const o = e.involvedObject;
  const metadata: Record<string, string> = { ...e.annotations };
  const revisionKey = `${objectGroup(o.apiVersion)}/revision`;
  if (e.revision && metadata[revisionKey] === undefined) metadata[revisionKey] = e.revision;
  return {
    involvedObject: {
      kind: o.kind,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      name: o.name,
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      apiVersion: o.apiVersion,
      ...(o.resourceVersion !== undefined ? { resourceVersion: o.resourceVersion } : {}),
    },
    severity: severityOf(e.type),
    timestamp: e.timestamp,
    message: e.message,
    reason: e.reason,
    ...(Object.keys(metadata).length ? { metadata } : {}),
    reportingController: e.reportingController,
    ...(reportingInstance ? { reportingInstance } : {}),
  };
}

/**
 * The notification for one Alert, metadata combined as Flux does (RFC 0008), lowest precedence first:
 * `event.toolkit.fluxcd.io/*` keys (prefix stripped), `spec.eventMetadata`, `spec.summary` as
 * `summary`, then the involved object's `<group>/*` keys (prefix stripped). Other keys are dropped,
 * and so is the internal `<group>/token`.
 */
export function notificationFor(
  event: FluxEvent,
  alert: Pick<AlertSpecLike, "eventMetadata" | "summary">,
): FluxEvent {
  const source = { ...event.metadata };
  const group = objectGroup(event.involvedObject.apiVersion);
  delete source[`${group}/token`];
  const metadata: Record<string, string> = {};
  const stripped = (prefix: string): void => {
    for (const [k, v] of Object.entries(source))
      if (k.startsWith(prefix)) metadata[k.slice(prefix.length)] = v;
  };
  stripped(`${eventGroup}/`);
  Object.assign(metadata, alert.eventMetadata);
  if (alert.summary) metadata.summary = alert.summary;
  stripped(`${group}/`);
  const { metadata: _dropped, ...rest } = event;
  return Object.keys(metadata).length ? { ...rest, metadata } : rest;
}

/** The `revision` of a combined notification, e.g. `main@sha1:<sha>`. */
export function revisionOf(event: FluxEvent): string | undefined {
  return event.metadata?.revision;
}
