/**
 * Where `sluice logs` reads the server's log lines: a local server's log file (followed as it
 * grows, as `tail -f`), standard input, or the logs of the server's Pods in the cluster.
 */
import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { SluiceError } from "../../common/errors.ts";
import type { KubeClient } from "../../kube/client.ts";
import { LineSplitter } from "../../process/output.ts";
import { serverName } from "../../install/manifests.ts";

export type LineSink = (line: string) => void;

const followPollMs = 250;

/** Reads `path` to its end, then (with `follow`) the lines appended until `signal` fires. */
export async function readLogFile(
  path: string,
  sink: LineSink,
  options: { follow: boolean; signal: AbortSignal },
) {
  const file = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new SluiceError(`cannot read the log file ${path}: ${error.code ?? error.message}`);
  });
  const lines = new LineSplitter(sink);
  const buffer = Buffer.alloc(64 * 1024);
  try {
    while (!options.signal.aborted) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead > 0) {
        lines.push(buffer.subarray(0, bytesRead));
        continue;
      }
      if (!options.follow) break;
      await sleep(followPollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    lines.end();
    await file.close();
  }
}

export async function readStream(stream: AsyncIterable<Buffer | string>, sink: LineSink): Promise<void> {
  const lines = new LineSplitter(sink);
  for await (const chunk of stream) lines.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  lines.end();
}

interface PodList {
  items: { metadata: { name: string }; status?: { phase?: string } }[];
}

/** The logs of every Pod of the Sluice server in `namespace`, one after another (interleaved when following). */
export async function readPodLogs(
  client: KubeClient,
  namespace: string,
  sink: LineSink,
  options: { follow: boolean; tail?: number | undefined; signal: AbortSignal },
): Promise<void> {
  const pods = await client.request<PodList>("GET", `/api/v1/namespaces/${namespace}/pods`, {
    query: { labelSelector: `app=${serverName}` },
  });
  if (pods.items.length === 0) {
    throw new SluiceError(`no Sluice server Pods in namespace "${namespace}"`, {
      hint: "pass --flux-namespace where Sluice is installed, or --file for a server running outside the cluster",
    });
  }
  const query = { container: serverName, follow: options.follow, tailLines: options.tail };
  await Promise.all(
    pods.items.map(async (pod) => {
      const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/log`;
      await readStream(await client.stream(path, { query, signal: options.signal }), sink);
    }),
  );
}
