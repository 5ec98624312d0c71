/**
 * Parsed pipeline configs, kept per pipeline and config version so the loops do not parse the
 * YAML of every pipeline on every tick. The store only holds configs that validated when set.
 */
import { formatIssue, parsePipeline, type Pipeline } from "../pipeline/index.ts";
import type { PipelineRecord } from "../store/store.ts";
import { triggerResources } from "./trigger-resources.ts";

interface Parsed {
  version: number;
  yaml: string;
  config: Pipeline;
  triggers: ReadonlySet<string>;
}

export class PipelineConfigs {
  readonly #parsed = new Map<number, Parsed>();

  of(pipeline: PipelineRecord): Pipeline {
    return this.#parse(pipeline).config;
  }

  /** The resources that are a `trigger: true` input of some job of the pipeline. */
  triggersOf(pipeline: PipelineRecord): ReadonlySet<string> {
    return this.#parse(pipeline).triggers;
  }

  #parse(pipeline: PipelineRecord): Parsed {
    const cached = this.#parsed.get(pipeline.id);
    // The text too: a pipeline destroyed and set again may get the same id and version 1.
    if (cached?.version === pipeline.configVersion && cached.yaml === pipeline.configYaml) return cached;
    const parsed = parsePipeline(pipeline.configYaml);
    if (!parsed.ok) {
      const issues = parsed.errors.map(formatIssue).join("; ");
      throw new Error(`pipeline ${pipeline.team}/${pipeline.name} has an invalid saved config: ${issues}`);
    }
    const entry = {
      version: pipeline.configVersion,
      yaml: pipeline.configYaml,
      config: parsed.pipeline,
      triggers: triggerResources(parsed.pipeline),
    };
    this.#parsed.set(pipeline.id, entry);
    return entry;
  }
}
