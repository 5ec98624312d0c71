/**
 * `sluice dev node-services`, one process of an environment with real nodes, on the address the
 * nodes' Pods reach this machine at: the cluster's name server (UDP 53) and relays to the
 * components that listen on loopback only (the API server, which is the `kubernetes` Service's
 * endpoint and kube-proxy's; the git server; the registry). See ADR 0027.
 */
import dgram from "node:dgram";
import net from "node:net";
import { KubeClient } from "../../kube/client.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { loopback } from "../components.ts";
import { nextTerminationSignal } from "../processes.ts";
import { resolveClusterName, resolveOutside, ServiceCache } from "./cluster-names.ts";
import { DnsFormatError, readQuestion, recordType, writeAnswer } from "./dns-message.ts";

export interface NodeServicesOptions {
  listen: string;
  /** Loopback ports relayed on `listen`. */
  relayPort: number[];
  kubeconfig: string;
  domain: string;
}

/** Relays every TCP connection on `listen:port` to the same port on loopback. */
function relay(listen: string, port: number): Promise<net.Server> {
  const server = net.createServer((downstream) => {
    const upstream = net.connect(port, loopback);
    downstream.pipe(upstream).pipe(downstream);
    downstream.on("error", () => upstream.destroy());
    upstream.on("error", () => downstream.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, listen, () => resolve(server));
  });
}

async function answer(message: Buffer, domain: string, cache: ServiceCache): Promise<Buffer> {
  let question;
  try {
    question = readQuestion(message);
  } catch (error) {
    if (!(error instanceof DnsFormatError) || message.length < 2) throw error;
    return writeAnswer(
      { id: message.readUInt16BE(0), raw: Buffer.alloc(0), recursionDesired: false },
      "FORMERR",
    );
  }
  const resolved =
    resolveClusterName(question.name, domain, await cache.services()) ??
    (await resolveOutside(question.name));
  // a name that exists has no AAAA records here: an empty answer, never "no such name"
  const addresses = question.type === recordType.A ? resolved.addresses : [];
  return writeAnswer(question, resolved.rcode, addresses);
}

function serverFailure(message: Buffer): Buffer | undefined {
  try {
    return writeAnswer(readQuestion(message), "SERVFAIL");
  } catch {
    return undefined;
  }
}

function nameServer(listen: string, domain: string, cache: ServiceCache): Promise<dgram.Socket> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, peer) => {
    answer(message, domain, cache).then(
      (reply) => socket.send(reply, peer.port, peer.address),
      (error: unknown) => {
        // the Services could not be read: say so at once rather than let the resolver time out
        process.stderr.write(`dns: ${(error as Error).message}\n`);
        const failed = serverFailure(message);
        if (failed) socket.send(failed, peer.port, peer.address);
      },
    );
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(53, listen, () => resolve(socket));
  });
}

export async function runNodeServicesMain(options: NodeServicesOptions): Promise<void> {
  const client = new KubeClient(await loadKubeconfig(options.kubeconfig));
  const cache = new ServiceCache(client);
  const relays = await Promise.all(options.relayPort.map((port) => relay(options.listen, port)));
  const dns = await nameServer(options.listen, options.domain, cache);
  process.stdout.write(`${JSON.stringify({ dns: `${options.listen}:53`, relayed: options.relayPort })}\n`);
  await nextTerminationSignal();
  dns.close();
  for (const server of relays) server.close();
  await client.close();
}
