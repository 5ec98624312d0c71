import { parseReceiver, type Receiver } from "../../api/notification/receiver/index.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { isNotFound } from "../../kube/errors.ts";
import { markReady, Reason } from "../../runtime/conditions.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/controller.ts";
import { webhookPath } from "./webhook-path.ts";
import { Reconcile } from "../reconcile-flow.ts";
import { ReconcileError } from "../reconcile-error.ts";
import type { ReceiverRegistry } from "./registry.ts";
import { fluxApiVersions } from "../../api/kinds.ts";
import { ReceiverReason } from "./reasons.ts";

type Status = Receiver["status"];

/** Reconciles a Receiver: reads its token, derives its webhook path and makes it callable. */
export class ReceiverReconciler {
  readonly #registry: ReceiverRegistry;
  readonly #flow = new Reconcile<Receiver, Status>({
    kind: "Receiver",
    apiVersion: fluxApiVersions.Receiver,
    parse: parseReceiver,
    cleanup: (raw) => Promise.resolve(this.#registry.remove(raw.metadata.namespace!, raw.metadata.name!)),
    sync: (obj, status, ctx) => this.#sync(obj, status, ctx),
    classify: (err) =>
      new ReconcileError(Reason.ReconciliationFailed, (err as Error).message, { cause: err }),
  });

  constructor(registry: ReceiverRegistry) {
    this.#registry = registry;
  }

  reconcile = async (raw: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => {
    const suspended = (raw as KubeObject & { spec?: { suspend?: boolean } }).spec?.suspend;
    if (suspended) this.#registry.remove(raw.metadata.namespace!, raw.metadata.name!);
    return this.#flow.run(raw, ctx);
  };

  async #sync(obj: Receiver, status: Status, ctx: ReconcileContext): Promise<void> {
    const ns = obj.metadata.namespace!;
    const name = obj.metadata.name!;
    const token = await readToken(ctx, ns, obj.spec.secretRef.name);
    const path = webhookPath(token, name, ns);
    this.#registry.set(path, {
      namespace: ns,
      name,
      type: obj.spec.type,
      token,
      events: obj.spec.events ?? [],
      resources: obj.spec.resources,
    });
    status.webhookPath = path;
    status.conditions = markReady(status.conditions, {
      reason: Reason.Succeeded,
      message: `Receiver initialized for path: ${path}`,
    });
  }
}

async function readToken(ctx: ReconcileContext, namespace: string, name: string): Promise<string> {
  try {
    const secret = await ctx.client.get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "Secret",
      name,
      namespace,
    );
    const token = secret.data?.["token"];
    if (!token)
      throw new ReconcileError(
        ReceiverReason.TokenNotFound,
        `secret '${namespace}/${name}' has no 'token' key`,
        {
          stalled: true,
        },
      );
    return Buffer.from(token, "base64").toString("utf8").trim();
  } catch (err) {
    if (isNotFound(err))
      throw new ReconcileError(
        ReceiverReason.TokenNotFound,
        `secret '${namespace}/${name}' not found: create it with a 'token' key`,
      );
    throw err;
  }
}
