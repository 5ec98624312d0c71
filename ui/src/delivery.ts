/** A delivery object's state in the words of its Ready condition, for marks and filters. */
import type { ApiDeliveryObject } from "./api.ts";
import { encode } from "./router.ts";

export function deliveryState(obj: ApiDeliveryObject): string {
  if (obj.suspended) return "paused";
  if (obj.ready === "True") return "succeeded";
  if (obj.ready === "False") return "failed";
  return "pending";
}

export const deliveryPath = (obj: { kind: string; namespace: string; name: string }) =>
  `/cd/${encode(obj.kind)}/${encode(obj.namespace)}/${encode(obj.name)}`;
