/** Resources and resource types of pipelines, their check state and pins. */
import type { CheckOutcome, ResourceRecord } from "../store.ts";
import type { SqlSession } from "./database.ts";
import { toResource, type ResourceRow } from "./rows.ts";

export class Resources {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async list(pipelineId: number): Promise<ResourceRecord[]> {
    const rows = await this.#db.all<ResourceRow>(
      "SELECT * FROM resources WHERE pipeline_id = :pipelineId AND active = 1 ORDER BY name",
      { pipelineId },
    );
    return rows.map(toResource);
  }

  async get(pipelineId: number, name: string): Promise<ResourceRecord | undefined> {
    const row = await this.#db.get<ResourceRow>(
      "SELECT * FROM resources WHERE pipeline_id = :pipelineId AND name = :name AND active = 1",
      { pipelineId, name },
    );
    return row && toResource(row);
  }

  useConfig(resourceId: number, type: string, configHash: string): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const configId = await resourceConfigId(tx, type, configHash);
      await tx.run(
        `UPDATE resources SET resource_config_id = :configId,
           pinned_version_id = CASE WHEN resource_config_id = :configId THEN pinned_version_id END
         WHERE id = :resourceId`,
        { resourceId, configId },
      );
      return configId;
    });
  }

  async recordCheck(resourceId: number, outcome: CheckOutcome): Promise<void> {
    await this.#db.run(
      `UPDATE resources SET last_check_started_at = :startedAt, last_check_ended_at = :endedAt, check_error = :error
       WHERE id = :resourceId`,
      { resourceId, startedAt: outcome.startedAt, endedAt: outcome.endedAt, error: outcome.error ?? null },
    );
  }

  async pin(resourceId: number, versionId: number | null, comment: string | null): Promise<void> {
    await this.#db.run(
      "UPDATE resources SET pinned_version_id = :versionId, pin_comment = :comment WHERE id = :resourceId",
      { resourceId, versionId, comment },
    );
  }
}

/** The id of the version scope for a config hash, created on first use. */
export async function resourceConfigId(q: SqlSession, type: string, configHash: string): Promise<number> {
  await q.run(
    "INSERT INTO resource_configs (type, config_hash) VALUES (:type, :configHash) ON CONFLICT (config_hash) DO NOTHING",
    { type, configHash },
  );
  const row = await q.get<{ id: number }>("SELECT id FROM resource_configs WHERE config_hash = :configHash", {
    configHash,
  });
  return row!.id;
}
