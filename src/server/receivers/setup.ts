import { ReceiverRegistry } from "../../controllers/receiver/registry.ts";
import { setupReceiverController } from "../../controllers/receiver/setup.ts";
import { ReconcileTrigger } from "../../controllers/receiver/trigger.ts";
import { webhookPath } from "../../controllers/receiver/webhook-path.ts";
import type { HttpServer } from "../../http/server.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { ListenAddress } from "../controllers.ts";
import { receiverServer } from "./server.ts";

export interface ReceiversSetup {
  concurrency: number;
  namespace?: string | undefined;
  /** default 0.0.0.0:9292 */
  listen?: Partial<ListenAddress> | undefined;
}

/**
 * The Receiver controller and the HTTP server it feeds, on their own address. The server runs on
 * every replica; only the leader's registry is filled, as only the leader reconciles.
 */
export function setupReceivers(manager: Manager, client: KubeClient, options: ReceiversSetup): HttpServer {
  const registry = new ReceiverRegistry();
  setupReceiverController(manager, {
    registry,
    concurrency: options.concurrency,
    namespace: options.namespace,
  });
  const trigger = new ReconcileTrigger(client, manager.logger);
  const server = receiverServer({
    host: options.listen?.host ?? "0.0.0.0",
    port: options.listen?.port ?? 9292,
    lookup: (path) => registry.lookup(path),
    onAccepted: (target) => {
      const receiver = registry.lookup(webhookPath(target.token, target.name, target.namespace));
      return receiver ? trigger.request(receiver) : undefined;
    },
    logger: manager.logger,
  });
  manager.add(server);
  return server;
}
