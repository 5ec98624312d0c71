/**
 * Between the scheduler and the builds: the scheduler creates and starts a build (inputs
 * recorded, status `started`), then hands it to the launcher, which runs its plan to the end.
 */
import type { BuildEvent, BuildRecord, BuildStatus } from "../store/store.ts";

export interface BuildLauncher {
  /** Runs a started build's plan; appends its events, records its outputs, finishes it. */
  run(build: BuildRecord): Promise<BuildStatus>;
  /** Aborts a running build; false when no build with that id runs here. */
  abort(buildId: number): boolean;
  /** As EngineControl.followBuild. */
  follow(buildId: number, listener: (events: BuildEvent[]) => void): () => void;
}
