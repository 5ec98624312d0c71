/**
 * The launcher used until builds can run: every started build ends errored with a message in
 * its log saying why, so a triggered job shows a clear outcome instead of hanging.
 */
import type { BuildEvent, BuildRecord, BuildStatus, CiStore } from "../store/index.ts";
import type { BuildLauncher } from "./launcher.ts";

export const NO_BUILD_RUNNER = "this server cannot run builds yet: no build runner is configured";

export function erroringLauncher(store: CiStore, now: () => number = Date.now): BuildLauncher {
  return {
    async run(build: BuildRecord): Promise<BuildStatus> {
      await store.appendBuildEvents(build.id, [{ type: "error", data: { message: NO_BUILD_RUNNER } }], now());
      await store.finishBuild(build.id, "errored", now());
      return "errored";
    },
    abort: () => false,
    follow(buildId: number, listener: (events: BuildEvent[]) => void) {
      let following = true;
      store.readBuildEvents(buildId).then(
        (events) => following && listener(events),
        () => undefined, // a destroyed build has no events to follow
      );
      return () => {
        following = false;
      };
    },
  };
}
