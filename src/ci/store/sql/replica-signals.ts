/**
 * Signals between server replicas through PostgreSQL's LISTEN/NOTIFY: one connection of its own
 * listens while someone does, and comes back after the server drops it. Each replica skips its
 * own signals.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { ReplicaSignal } from "../store.ts";
import type { SqlSession } from "./database.ts";

const CHANNEL = "sluice_ci";
const RECONNECT_MS = 1000;

export interface ReplicaSignals {
  send(signal: ReplicaSignal): Promise<void>;
  listen(listener: (signal: ReplicaSignal) => void): () => void;
  close(): Promise<void>;
}

/** SQLite: one server, nobody to tell. */
export const noReplicas: ReplicaSignals = {
  send: () => Promise.resolve(),
  listen: () => () => undefined,
  close: () => Promise.resolve(),
};

export class PostgresSignals implements ReplicaSignals {
  readonly #db: SqlSession;
  readonly #url: string;
  readonly #sender = randomUUID();
  readonly #listeners = new Set<(signal: ReplicaSignal) => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(db: SqlSession, url: string) {
    this.#db = db;
    this.#url = url;
  }

  async send(signal: ReplicaSignal): Promise<void> {
    await this.#db.run("SELECT pg_notify(:channel, :payload)", {
      channel: CHANNEL,
      payload: JSON.stringify({ sender: this.#sender, signal }),
    });
  }

  listen(listener: (signal: ReplicaSignal) => void): () => void {
    this.#listeners.add(listener);
    this.#connecting ??= this.#connect();
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting;
    await this.#client?.end().catch(() => undefined);
  }

  /** Resolves once listening, or once closed: a failed connection is retried until then. */
  async #connect(): Promise<void> {
    while (!this.#closed) {
      const client = new pg.Client({ connectionString: this.#url });
      try {
        await client.connect();
        client.on("notification", (message) => this.#deliver(message.payload));
        client.on("error", () => this.#reconnect(client));
        await client.query(`LISTEN ${CHANNEL}`);
        this.#client = client;
        return;
      } catch {
        await client.end().catch(() => undefined);
        await sleep(RECONNECT_MS);
      }
    }
  }

  #reconnect(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    void client.end().catch(() => undefined);
    this.#connecting = this.#connect();
  }

  #deliver(payload: string | undefined): void {
    let message: { sender?: string; signal?: ReplicaSignal };
    try {
      message = JSON.parse(payload ?? "") as typeof message;
    } catch {
      return;
    }
    if (message.sender === this.#sender || !message.signal) return;
    for (const listener of this.#listeners) listener(message.signal);
  }
}
