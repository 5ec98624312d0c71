/**
 * Parsed pipeline configs, kept per pipeline and config version so the loops do not parse the
 * YAML of every pipeline on every tick. The store only holds configs that validated when set.
 */
import { formatIssue, parsePipeline, type Pipeline } from "../pipeline/index.ts";
import type { PipelineRecord } from "../store/store.ts";

export class PipelineConfigs {
  readonly #parsed = new Map<number, { version: number; config: Pipeline }>();

  of(pipeline: PipelineRecord): Pipeline {
    const cached = this.#parsed.get(pipeline.id);
    if (cached?.version === pipeline.configVersion) return cached.config;
    const parsed = parsePipeline(pipeline.configYaml);
    if (!parsed.ok) {
      const issues = parsed.errors.map(formatIssue).join("; ");
      throw new Error(`pipeline ${pipeline.team}/${pipeline.name} has an invalid saved config: ${issues}`);
    }
    this.#parsed.set(pipeline.id, { version: pipeline.configVersion, config: parsed.pipeline });
    return parsed.pipeline;
  }

  forget(pipelineId: number): void {
    this.#parsed.delete(pipelineId);
  }
}
