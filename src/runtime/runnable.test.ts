import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "./logger.ts";
import { RunnableGroup, untilAborted, type Runnable } from "./runnable.ts";

/** A runnable that records when it starts and stops, in `log`. */
function recorded(name: string, log: string[], fails?: "start" | "running"): Runnable {
  return {
    name,
    start: (signal) => {
      if (fails === "start") return Promise.reject(new Error(`${name} cannot start`));
      log.push(`start ${name}`);
      const done = untilAborted(signal).then(() => {
        log.push(`stop ${name}`);
        if (fails === "running") throw new Error(`${name} failed`);
      });
      return Promise.resolve({ done });
    },
  };
}

test("starts in order and stops in reverse order, waiting for each", async () => {
  const log: string[] = [];
  const group = new RunnableGroup([recorded("a", log), recorded("b", log)], silentLogger(), () => {});
  await group.start();
  assert.deepEqual(log, ["start a", "start b"]);
  await group.stop();
  assert.deepEqual(log, ["start a", "start b", "stop b", "stop a"]);
  await group.stop();
  assert.equal(log.length, 4, "stopping twice stops nothing more");
});

test("a runnable that cannot start stops the ones already started", async () => {
  const log: string[] = [];
  const group = new RunnableGroup(
    [recorded("a", log), recorded("b", log, "start"), recorded("c", log)],
    silentLogger(),
    () => {},
  );
  await assert.rejects(group.start(), /b cannot start/);
  assert.deepEqual(log, ["start a", "stop a"]);
});

test("a runnable that fails while running is reported", async () => {
  const failures: unknown[] = [];
  const group = new RunnableGroup([recorded("a", [], "running")], silentLogger(), (err) =>
    failures.push(err),
  );
  await group.start();
  await group.stop();
  assert.match(String(failures[0]), /a failed/);
});
