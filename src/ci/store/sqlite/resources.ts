/** Resources and resource types of pipelines, their check state and pins. */
import type { CheckOutcome, ResourceRecord } from "../store.ts";
import type { Sql } from "./connection.ts";
import { toResource, type ResourceRow } from "./rows.ts";

export class Resources {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  list(pipelineId: number): ResourceRecord[] {
    return this.#sql
      .all<ResourceRow>(
        "SELECT * FROM resources WHERE pipeline_id = :pipelineId AND active = 1 ORDER BY name",
        {
          pipelineId,
        },
      )
      .map(toResource);
  }

  get(pipelineId: number, name: string): ResourceRecord | undefined {
    const row = this.#sql.get<ResourceRow>(
      "SELECT * FROM resources WHERE pipeline_id = :pipelineId AND name = :name AND active = 1",
      { pipelineId, name },
    );
    return row && toResource(row);
  }

  useConfig(resourceId: number, type: string, configHash: string): number {
    return this.#sql.transaction(() => {
      const configId = resourceConfigId(this.#sql, type, configHash);
      this.#sql.run(
        `UPDATE resources SET resource_config_id = :configId,
           pinned_version_id = CASE WHEN resource_config_id = :configId THEN pinned_version_id END
         WHERE id = :resourceId`,
        { resourceId, configId },
      );
      return configId;
    });
  }

  recordCheck(resourceId: number, outcome: CheckOutcome): void {
    this.#sql.run(
      `UPDATE resources SET last_check_started_at = :startedAt, last_check_ended_at = :endedAt, check_error = :error
       WHERE id = :resourceId`,
      { resourceId, startedAt: outcome.startedAt, endedAt: outcome.endedAt, error: outcome.error ?? null },
    );
  }

  pin(resourceId: number, versionId: number | null, comment: string | null): void {
    this.#sql.run(
      "UPDATE resources SET pinned_version_id = :versionId, pin_comment = :comment WHERE id = :resourceId",
      {
        resourceId,
        versionId,
        comment,
      },
    );
  }
}

/** The id of the version scope for a config hash, created on first use. */
export function resourceConfigId(sql: Sql, type: string, configHash: string): number {
  sql.run(
    "INSERT INTO resource_configs (type, config_hash) VALUES (:type, :configHash) ON CONFLICT (config_hash) DO NOTHING",
    { type, configHash },
  );
  return sql.get<{ id: number }>("SELECT id FROM resource_configs WHERE config_hash = :configHash", {
    configHash,
  })!.id;
}
