import type { Runnable } from "../../src/runtime/runnable.ts";
import { untilAborted } from "../../src/runtime/runnable.ts";

/** A runnable that only records `start <name>` and `stop <name>` in `log`. */
export function recordingRunnable(name: string, log: string[]): Runnable {
  return {
    name,
    start: (signal) => {
      log.push(`start ${name}`);
      return Promise.resolve({ done: untilAborted(signal).then(() => void log.push(`stop ${name}`)) });
    },
  };
}
