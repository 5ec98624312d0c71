/** Saves a project's generated pipeline YAML: validated, unpaused, against the version it was based on. */
import { parsePipeline } from "../../pipeline/index.ts";
import { ProjectSetupError } from "../../projects/project.ts";
import type { CiStore, PipelineRef, SetPipelineResult } from "../../store/index.ts";

export async function saveProjectPipeline(
  store: CiStore,
  input: PipelineRef & { configYaml: string; expectedVersion: number },
): Promise<SetPipelineResult> {
  const parsed = parsePipeline(input.configYaml);
  if (!parsed.ok)
    throw new ProjectSetupError(
      `the project's pipeline is not valid: ${parsed.errors.map((e) => e.message).join("; ")}`,
    );
  await store.ensureTeam(input.team);
  return store.setPipeline({ ...input, config: parsed.pipeline, pausedWhenCreated: false });
}
