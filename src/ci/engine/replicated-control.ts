/**
 * The engine control the API uses when replicas share a PostgreSQL store: a request this
 * replica cannot serve (its engine is not the leader's) also goes to the others as a signal,
 * so a trigger or an abort on any replica reaches the one running the engine at once.
 */
import type { CiStore } from "../store/index.ts";
import type { EngineControl } from "./control.ts";

export function replicatedControl(engine: EngineControl, store: CiStore): EngineControl {
  return {
    checkResource: (pipelineId, resource, request) => engine.checkResource(pipelineId, resource, request),
    schedule(pipelineId) {
      engine.schedule(pipelineId);
      void store.signalReplicas({ kind: "schedule", pipelineId }).catch(() => undefined);
    },
    abortBuild(buildId) {
      if (engine.abortBuild(buildId)) return true;
      void store.signalReplicas({ kind: "abort", buildId }).catch(() => undefined);
      return false;
    },
    followBuild: (buildId, listener) => engine.followBuild(buildId, listener),
    jobWaiting: (jobId) => engine.jobWaiting(jobId),
  };
}
