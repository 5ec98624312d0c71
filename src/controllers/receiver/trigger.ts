import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { Logger } from "../../runtime/logger.ts";
import type { RegisteredReceiver, ResourceRef } from "./registry.ts";
import { fluxApiVersionOf, requestedAtAnnotation } from "../../api/kinds.ts";

async function targetsOf(client: KubeClient, ref: ResourceRef, namespace: string): Promise<KubeObject[]> {
  const apiVersion = ref.apiVersion ?? fluxApiVersionOf(ref.kind);
  if (!apiVersion) throw new Error(`no apiVersion for kind ${ref.kind}: set resources[].apiVersion`);
  const ns = ref.namespace ?? namespace;
  if (ref.name !== "*") return [{ apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ns } }];
  const selector = Object.entries(ref.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return (
    await client.list(apiVersion, ref.kind, {
      namespace: ns,
      ...(selector ? { labelSelector: selector } : {}),
    })
  ).items.map((o) => ({ apiVersion, kind: ref.kind, metadata: { name: o.metadata.name!, namespace: ns } }));
}

/**
 * Annotates a Receiver's resources with `reconcile.fluxcd.io/requestedAt`. Calls for one Receiver
 * that arrive while its annotations are being written collapse into one more round, so a flood
 * of webhooks becomes at most two reconciles of each object.
 */
export class ReconcileTrigger {
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(client: KubeClient, log: Logger) {
    this.#client = client;
    this.#log = log;
  }

  request(receiver: RegisteredReceiver): Promise<void> {
    const key = `${receiver.namespace}/${receiver.name}`;
    const running = this.#running.get(key);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      do {
        state.again = false;
        await this.#annotateAll(receiver);
      } while (state.again);
      this.#running.delete(key);
    })();
    this.#running.set(key, state);
    return state.done;
  }

  async #annotateAll(receiver: RegisteredReceiver): Promise<void> {
    const at = new Date().toISOString();
    for (const ref of receiver.resources) {
      try {
        for (const target of await targetsOf(this.#client, ref, receiver.namespace)) {
          const patch = { metadata: { annotations: { [requestedAtAnnotation]: at } } };
          await this.#client.patch(
            {
              apiVersion: target.apiVersion,
              kind: target.kind,
              name: target.metadata.name!,
              namespace: target.metadata.namespace!,
            },
            patch,
          );
        }
      } catch (err) {
        this.#log.warn(
          {
            receiver: `${receiver.namespace}/${receiver.name}`,
            resource: `${ref.kind}/${ref.name}`,
            err: (err as Error).message,
          },
          "cannot request a reconcile",
        );
      }
    }
  }
}
