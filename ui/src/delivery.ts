/** Delivery objects on the page: their state in the words of marks and filters, and their live list. */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, deliveryChanges, Unauthorized, type ApiDeliveryObject } from "./api.ts";
import { encode } from "./router.ts";

export function deliveryState(obj: ApiDeliveryObject): string {
  if (obj.suspended) return "paused";
  if (obj.ready === "True") return "succeeded";
  if (obj.ready === "False") return "failed";
  return "pending";
}

export const deliveryPath = (obj: { kind: string; namespace: string; name: string }) =>
  `/cd/${encode(obj.kind)}/${encode(obj.namespace)}/${encode(obj.name)}`;

const keyOf = (o: ApiDeliveryObject) => `${o.kind}/${o.namespace}/${o.name}`;

/**
 * The delivery objects, kept current by the server's watch-driven stream (deltas, no polling);
 * empty for someone who is not an admin. The stream is opened again after it ends or fails.
 */
export function useDeliveryObjects(): ApiDeliveryObject[] {
  const [objects, setObjects] = useState<ApiDeliveryObject[]>([]);
  useEffect(() => {
    const abort = new AbortController();
    const current = new Map<string, ApiDeliveryObject>();
    let frame = 0;
    const publish = () => {
      frame = 0;
      setObjects([...current.values()]);
    };
    void (async () => {
      while (!abort.signal.aborted) {
        try {
          for await (const change of deliveryChanges(abort.signal)) {
            if (change.event === "reset") {
              for (const [key, o] of current) if (o.kind === change.kind) current.delete(key);
              for (const o of change.objects) current.set(keyOf(o), o);
            } else if (change.event === "upsert") current.set(keyOf(change.object), change.object);
            else current.delete(keyOf(change.object));
            frame ||= requestAnimationFrame(publish);
          }
        } catch (error) {
          if (error instanceof ApiFailure && error.status === 403) return;
          if (error instanceof Unauthorized) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, []);
  return objects;
}
