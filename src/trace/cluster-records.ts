/** What a trace reads of the cluster: Flux objects of every namespace, and an object's events. */
import { fluxApiVersions, type FluxKind } from "../api/kinds.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { parseImageReference } from "../oci/reference.ts";

export type Status = Record<string, unknown> & {
  conditions?: {
    type: string;
    status: string;
    reason?: string;
    lastTransitionTime?: string;
    lastUpdateTime?: string;
  }[];
};
export type FluxRecord = KubeObject & { spec?: Record<string, unknown>; status?: Status };

export interface RecordedEvent {
  time: string;
  reason: string;
  message: string;
  /** The `<group>/revision` annotation Flux's events carry. */
  revision?: string;
}

/** Every object of a kind, none when its CRD is not installed. */
export async function listAll(kube: KubeClient, kind: FluxKind): Promise<FluxRecord[]> {
  try {
    return (await kube.list<FluxRecord>(fluxApiVersions[kind], kind)).items;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** The object's events, oldest first. */
export async function eventsOf(kube: KubeClient, kind: string, obj: KubeObject): Promise<RecordedEvent[]> {
  const list = await kube.list("v1", "Event", {
    namespace: ns(obj),
    fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${nameOf(obj)}`,
  });
  return list.items
    .map((item) => {
      const e = item as KubeObject & {
        reason?: string;
        message?: string;
        lastTimestamp?: string;
        eventTime?: string;
      };
      const revision = Object.entries(e.metadata.annotations ?? {}).find(([k]) =>
        k.endsWith("/revision"),
      )?.[1];
      return {
        time: e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "",
        reason: e.reason ?? "",
        message: e.message ?? "",
        ...(revision ? { revision } : {}),
      };
    })
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** The commit id of a Flux revision (`main@sha1:abc…`, `sha1:abc…` or a bare id). */
export function commitOf(revision: string | undefined): string | undefined {
  return /([0-9a-f]{40}|[0-9a-f]{64})$/.exec(revision ?? "")?.[1];
}

/** `host/path` with Docker Hub's short forms expanded, to compare image names; undefined when invalid. */
export function imageName(text: string): string | undefined {
  try {
    const ref = parseImageReference(text);
    return `${ref.registry}/${ref.repository}`;
  } catch {
    return undefined;
  }
}

/** The image an ImageRepository scans, named as imageName does. */
export function scannedImage(repository: FluxRecord): string | undefined {
  const image = repository.spec?.["image"];
  return typeof image === "string" ? imageName(image) : undefined;
}

export const ns = (obj: KubeObject) => obj.metadata.namespace ?? "";
const nameOf = (obj: KubeObject) => obj.metadata.name ?? "";
export const uiLink = (kind: string, obj: KubeObject) =>
  `/cd/${kind}/${encodeURIComponent(ns(obj))}/${encodeURIComponent(nameOf(obj))}`;
