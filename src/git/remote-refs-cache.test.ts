import assert from "node:assert/strict";
import { test } from "node:test";
import { RemoteRefsCache } from "./remote-refs-cache.ts";

test("concurrent and recent callers share one listing; fresh callers and other keys do not", async () => {
  let now = 0;
  let calls = 0;
  const cache = new RemoteRefsCache({ ttlMs: 1000, now: () => now });
  const list = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 10));
    return new Map([["refs/heads/main", String(calls)]]);
  };
  const [a, b] = await Promise.all([cache.get("u", false, list), cache.get("u", true, list)]);
  assert.equal(calls, 1, "an in-flight listing is shared, even with fresh callers");
  assert.equal(a, b);
  now = 500;
  await cache.get("u", false, list);
  assert.equal(calls, 1, "a recent answer is reused");
  await cache.get("u", true, list);
  assert.equal(calls, 2, "a fresh caller lists again");
  await cache.get("other", false, list);
  assert.equal(calls, 3, "keys are separate");
  now = 5000;
  await cache.get("u", false, list);
  assert.equal(calls, 4, "answers expire");
});

test("a failed listing is not cached", async () => {
  const cache = new RemoteRefsCache();
  await assert.rejects(cache.get("u", false, () => Promise.reject(new Error("down"))));
  const refs = await cache.get("u", false, () => Promise.resolve(new Map([["HEAD", "x"]])));
  assert.equal(refs.get("HEAD"), "x");
});
