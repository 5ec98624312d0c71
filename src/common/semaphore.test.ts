import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Semaphore } from "./semaphore.ts";

describe("Semaphore", () => {
  it("lets at most `limit` holders in, serving waiters in order", async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const third = semaphore.acquire().then((release) => (order.push(3), release));
    const fourth = semaphore.acquire().then((release) => (order.push(4), release));
    await Promise.resolve();
    assert.equal(semaphore.active, 2);
    assert.equal(semaphore.waiting, 2);
    first();
    first(); // a second release is ignored
    (await third)();
    second();
    (await fourth)();
    assert.deepEqual(order, [3, 4]);
    assert.equal(semaphore.active, 0);
  });

  it("gives up waiting when the signal aborts, and refuses an aborted signal", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
    assert.equal(semaphore.waiting, 0);
    await assert.rejects(semaphore.acquire(controller.signal), /stop/);
    held();
    assert.equal(semaphore.active, 0);
  });

  it("admits waiters when the limit grows", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const waiting = semaphore.acquire();
    semaphore.setLimit(2);
    const release = await waiting;
    assert.equal(semaphore.active, 2);
    release();
    held();
    assert.throws(() => semaphore.setLimit(0), RangeError);
  });
});
