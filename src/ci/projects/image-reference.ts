/** Image references as CI files write them, as the task's registry-image `image_resource`. */
import type { TaskConfig } from "../pipeline/task-config.ts";

/** `registry:5000/team/app:1.0` → the name as written and its tag (`latest` when none); no digest. */
export function splitTag(named: string): { repository: string; tag: string } {
  const colon = named.lastIndexOf(":");
  if (colon > named.lastIndexOf("/"))
    return { repository: named.slice(0, colon), tag: named.slice(colon + 1) };
  return { repository: named, tag: "latest" };
}

/** `golang:1.22`, `registry:5000/team/app@sha256:…` → a registry-image source and version. */
export function imageSource(
  reference: string,
): Pick<NonNullable<TaskConfig["image_resource"]>, "source" | "version"> {
  const at = reference.indexOf("@");
  const { repository, tag } = splitTag(at >= 0 ? reference.slice(0, at) : reference);
  return at >= 0
    ? { source: { repository, tag }, version: { digest: reference.slice(at + 1) } }
    : { source: { repository, tag } };
}
