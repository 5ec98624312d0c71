/** Image references as CI files write them, as the task's registry-image `image_resource`. */
import type { TaskConfig } from "../pipeline/task-config.ts";

/** `golang:1.22`, `registry:5000/team/app@sha256:…` → a registry-image source and version. */
export function imageSource(
  reference: string,
): Pick<NonNullable<TaskConfig["image_resource"]>, "source" | "version"> {
  const at = reference.indexOf("@");
  const named = at >= 0 ? reference.slice(0, at) : reference;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : "latest";
  return at >= 0
    ? { source: { repository, tag }, version: { digest: reference.slice(at + 1) } }
    : { source: { repository, tag } };
}
