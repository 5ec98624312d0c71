import { ReceiverRegistry } from "../../controllers/receiver/registry.ts";
import { setupReceiverController } from "../../controllers/receiver/setup.ts";
import { ReconcileTrigger } from "../../controllers/receiver/trigger.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { ServerOptions } from "../server.ts";
import { webhookPath } from "./path.ts";
import { startReceiverServer, type ReceiverServer } from "./server.ts";

/** The Receiver controller and the HTTP server it feeds, on their own address. */
export async function startReceivers(
  manager: Manager,
  client: KubeClient,
  options: ServerOptions,
): Promise<ReceiverServer> {
  const registry = new ReceiverRegistry();
  setupReceiverController(manager, {
    registry,
    concurrency: options.concurrency,
    namespace: options.namespace,
  });
  const trigger = new ReconcileTrigger(client, options.logger);
  return startReceiverServer({
    host: options.receiverHost ?? "0.0.0.0",
    port: options.receiverPort ?? 9292,
    lookup: (path) => registry.lookup(path),
    onAccepted: (target) => {
      const receiver = registry.lookup(webhookPath(target.token, target.name, target.namespace));
      return receiver ? trigger.request(receiver) : undefined;
    },
    logger: options.logger,
  });
}
