/**
 * Where a pipeline's `((vars))` come from at run time (the flag vars of set-pipeline were
 * interpolated before the config was saved): the Kubernetes credential manager, looking in
 * `<prefix><team>` for `<pipeline>.<var>`, then `<var>`.
 */
import type { KubeClient } from "../../kube/client.ts";
import type { PipelineRecord } from "../store/store.ts";
import { KubernetesVarSource, type KubernetesVarsOptions } from "../vars/kubernetes.ts";
import type { VarSource } from "../vars/source.ts";

export type PipelineVars = (pipeline: Pick<PipelineRecord, "team" | "name">) => VarSource;

export function kubernetesPipelineVars(
  client: KubeClient,
  options: Omit<KubernetesVarsOptions, "team" | "pipeline"> = {},
): PipelineVars {
  return (pipeline) =>
    new KubernetesVarSource(client, { ...options, team: pipeline.team, pipeline: pipeline.name });
}
