/** What the store benchmarks measure on PostgreSQL: sizes in the database, and replica signals. */
import pg from "pg";
import { SqlCiStore } from "../../src/ci/store/index.ts";
import { latencies } from "./sizes-and-latencies.ts";

/** The database's size, and the part its sealed build logs take. */
export async function postgresSizes(url: string): Promise<{ dbBytes: number; logBytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string; logs: string | null }>(
      `SELECT pg_database_size(current_database()) AS db,
              (SELECT sum(octet_length(data)) FROM build_log_blobs) AS logs`,
    );
    return { dbBytes: Number(rows[0]!.db), logBytes: Number(rows[0]!.logs ?? 0) };
  } finally {
    await client.end();
  }
}

/** p50/p99 of a signal sent by one store until another hears it. */
export async function signalLatency(url: string, samples: number): Promise<{ p50: string; p99: string }> {
  const [sender, receiver] = await Promise.all([
    SqlCiStore.openPostgres({ url }),
    SqlCiStore.openPostgres({ url }),
  ]);
  let heard: (() => void) | undefined;
  const stop = receiver.onReplicaSignal(() => heard?.());
  try {
    // LISTEN starts in the background: the first signal heard says it is ready
    for (let ready = false; !ready;) {
      const arrived = new Promise<boolean>((resolve) => (heard = () => resolve(true)));
      await sender.signalReplicas({ kind: "schedule", pipelineId: 0 });
      ready = await Promise.race([arrived, new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
    }
    return await latencies(samples, async () => {
      const arrived = new Promise<void>((resolve) => (heard = resolve));
      await sender.signalReplicas({ kind: "schedule", pipelineId: 1 });
      await arrived;
    });
  } finally {
    stop();
    await Promise.all([sender.close(), receiver.close()]);
  }
}
