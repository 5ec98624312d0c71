/**
 * Resource versions per resource config, ordered by check order: every save takes the next
 * orders of its config, so a version a check reports again becomes the latest.
 */
import type { Version } from "../../pipeline/fields.ts";
import { canonicalJson, sha256Hex } from "../canonical-json.ts";
import type { NewVersion, ResourceVersion, ResourceVersionView, VersionMetadata } from "../store.ts";
import type { SqlSession } from "./database.ts";
import { toVersion, toVersionView, type VersionRow } from "./rows.ts";

const versionsOfResource = `
  SELECT v.*, CASE WHEN d.version_id IS NULL THEN 1 ELSE 0 END AS enabled
  FROM resources r
  JOIN resource_versions v ON v.resource_config_id = r.resource_config_id
  LEFT JOIN resource_disabled_versions d ON d.resource_id = r.id AND d.version_id = v.id
  WHERE r.id = :resourceId`;

export class Versions {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async save(resourceConfigId: number, versions: NewVersion[]): Promise<ResourceVersion[]> {
    if (versions.length === 0) return [];
    return this.#db.transaction(async (tx) => {
      const { last } = (await tx.get<{ last: number }>(
        `UPDATE resource_configs SET last_check_order = last_check_order + :count WHERE id = :resourceConfigId
         RETURNING last_check_order AS last`,
        { resourceConfigId, count: versions.length },
      ))!;
      const first = last - versions.length + 1;
      const saved: ResourceVersion[] = [];
      for (const [i, v] of versions.entries()) {
        const version = canonicalJson(v.version);
        const row = await tx.get<VersionRow>(
          `INSERT INTO resource_versions (resource_config_id, version, version_digest, metadata, check_order)
           VALUES (:resourceConfigId, :version, :digest, :metadata, :checkOrder)
           ON CONFLICT (resource_config_id, version_digest) DO UPDATE SET check_order = excluded.check_order,
             metadata = CASE WHEN excluded.metadata = '[]' THEN resource_versions.metadata ELSE excluded.metadata END
           RETURNING *`,
          {
            resourceConfigId,
            version,
            digest: sha256Hex(version),
            metadata: JSON.stringify(v.metadata ?? []),
            checkOrder: first + i,
          },
        );
        saved.push(toVersion(row!));
      }
      return saved;
    });
  }

  async find(resourceConfigId: number, version: Version): Promise<ResourceVersion | undefined> {
    const row = await this.#db.get<VersionRow>(
      "SELECT * FROM resource_versions WHERE resource_config_id = :resourceConfigId AND version_digest = :digest",
      { resourceConfigId, digest: sha256Hex(canonicalJson(version)) },
    );
    return row && toVersion(row);
  }

  async saveMetadata(versionId: number, metadata: VersionMetadata): Promise<void> {
    await this.#db.run("UPDATE resource_versions SET metadata = :metadata WHERE id = :versionId", {
      versionId,
      metadata: JSON.stringify(metadata),
    });
  }

  async get(versionId: number): Promise<ResourceVersion | undefined> {
    const row = await this.#db.get<VersionRow>("SELECT * FROM resource_versions WHERE id = :versionId", {
      versionId,
    });
    return row && toVersion(row);
  }

  async list(resourceId: number, limit: number): Promise<ResourceVersionView[]> {
    const rows = await this.#db.all<VersionRow & { enabled: number }>(
      `${versionsOfResource} ORDER BY v.check_order DESC LIMIT :limit`,
      { resourceId, limit },
    );
    return rows.map(toVersionView);
  }

  async latest(resourceId: number): Promise<ResourceVersion | undefined> {
    const row = await this.#db.get<VersionRow>(
      `${versionsOfResource} AND d.version_id IS NULL ORDER BY v.check_order DESC LIMIT 1`,
      { resourceId },
    );
    return row && toVersion(row);
  }

  async setEnabled(resourceId: number, versionId: number, enabled: boolean): Promise<void> {
    await this.#db.run(
      enabled
        ? "DELETE FROM resource_disabled_versions WHERE resource_id = :resourceId AND version_id = :versionId"
        : `INSERT INTO resource_disabled_versions (resource_id, version_id) VALUES (:resourceId, :versionId)
           ON CONFLICT DO NOTHING`,
      { resourceId, versionId },
    );
  }
}
