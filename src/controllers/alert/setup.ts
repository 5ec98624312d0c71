import { fluxApiVersions } from "../../api/kinds.ts";
import { parseAlert } from "../../api/notification/alert/index.ts";
import { parseProvider } from "../../api/notification/provider/index.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { Dispatcher, type AlertTarget } from "../../notification/dispatcher.ts";
import { closeHttpAgents } from "../../notification/http.ts";
import type { AlertSpecLike } from "../../notification/types.ts";
import type { RecordedEvent } from "../../runtime/events.ts";
import type { Logger } from "../../runtime/logger.ts";
import type { Manager } from "../../runtime/manager.ts";
import { untilAborted } from "../../runtime/runnable.ts";
import { providerConfig } from "./providers.ts";

const notificationKinds = new Set(["Alert", "Provider", "Receiver"]);

/**
 * Alerts and Providers need no reconcile of their own (v1beta3 objects have no status): the
 * dispatcher reads them from the caches when an event arrives, and sends asynchronously. It runs
 * while leading, as the controllers whose events it notifies do; stopping drains what is queued.
 */
export function setupAlerts(
  manager: Manager,
  client: KubeClient,
  options: { namespace?: string | undefined },
): void {
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const alerts = manager.informers.informer({ apiVersion: fluxApiVersions.Alert, kind: "Alert", ...scope });
  const providers = manager.informers.informer({
    apiVersion: fluxApiVersions.Provider,
    kind: "Provider",
    ...scope,
  });
  const secrets = manager.informers.informer({ apiVersion: "v1", kind: "Secret", ...scope });
  const log = manager.logger.child({ component: "alerts" });

  const targets = (event: RecordedEvent): Promise<AlertTarget[]> => {
    // events about notification objects are not notified: a failing Provider must not feed itself
    if (notificationKinds.has(event.involvedObject.kind)) return Promise.resolve([]);
    const found: AlertTarget[] = [];
    for (const raw of alerts.list()) {
      try {
        const alert = parseAlert(raw).object;
        const ns = alert.metadata.namespace!;
        const providerRaw = providers.get(`${ns}/${alert.spec.providerRef.name}`);
        if (!providerRaw) continue;
        const provider = parseProvider(providerRaw).object;
        const secret = provider.spec.secretRef
          ? secrets.get(`${ns}/${provider.spec.secretRef.name}`)
          : undefined;
        const cert = provider.spec.certSecretRef
          ? secrets.get(`${ns}/${provider.spec.certSecretRef.name}`)
          : undefined;
        const spec: AlertSpecLike = {
          ...(alert.spec as Omit<AlertSpecLike, "namespace">),
          namespace: ns,
          name: alert.metadata.name!,
        };
        found.push({ alert: spec, provider: providerConfig(provider, secret, cert) });
      } catch (err) {
        log.warn(
          { alert: `${raw.metadata.namespace}/${raw.metadata.name}`, err: (err as Error).message },
          "alert skipped",
        );
      }
    }
    return Promise.resolve(found);
  };

  manager.add(
    {
      name: "alert-dispatcher",
      start: (signal) => {
        const dispatcher = newDispatcher(client, targets, log);
        const unsubscribe = dispatcher.subscribe(manager.events);
        const done = untilAborted(signal).then(async () => {
          unsubscribe();
          await dispatcher.close();
          await closeHttpAgents();
        });
        return Promise.resolve({ done });
      },
    },
    { leaderOnly: true },
  );
}

function newDispatcher(
  client: KubeClient,
  alertsFor: (event: RecordedEvent) => Promise<AlertTarget[]>,
  log: Logger,
): Dispatcher {
  return new Dispatcher({
    alertsFor,
    labelsFor: async (o) => {
      if (!o.apiVersion || !o.name) return undefined;
      const obj: KubeObject = await client.get(o.apiVersion, o.kind, o.name, o.namespace);
      return obj.metadata.labels;
    },
    onSendFailed: (alert, provider, error) => {
      log.warn(
        {
          alert: `${alert.namespace}/${alert.name ?? ""}`,
          provider: `${provider.namespace}/${provider.name}`,
          err: error.message,
        },
        "notification not sent",
      );
    },
    logger: log,
  });
}
