import assert from "node:assert/strict";
import { test } from "node:test";
import { newestByCreation } from "./created-order.ts";

const at: Record<string, number | undefined> = {
  "v1-old": Date.parse("2023-01-01T00:00:00Z"),
  "v1-new": Date.parse("2025-01-01T00:00:00Z"),
  "v1-twin-a": Date.parse("2025-01-01T00:00:00Z"),
  "v1-unknown": undefined,
};
const createdOf = (tag: string) => Promise.resolve(at[tag]);

test("the tag whose image was created last wins, whatever its name; unknown times count as oldest", async () => {
  assert.equal(await newestByCreation(["v1-old", "v1-new", "v1-unknown"], createdOf), "v1-new");
  assert.equal(await newestByCreation(["v1-unknown", "v1-old"], createdOf), "v1-old");
  assert.equal(
    await newestByCreation(["v1-unknown"], createdOf),
    "v1-unknown",
    "a lone tag is chosen even so",
  );
  assert.equal(await newestByCreation([], createdOf), undefined);
});

test("equal creation times go to the later tag in byte order, whatever the input order", async () => {
  assert.equal(await newestByCreation(["v1-new", "v1-twin-a"], createdOf), "v1-twin-a");
  assert.equal(await newestByCreation(["v1-twin-a", "v1-new"], createdOf), "v1-twin-a");
});

test("a time that cannot be read fails the choice instead of picking from the rest", async () => {
  const failing = (tag: string) => (tag === "v1-new" ? Promise.reject(new Error("429")) : createdOf(tag));
  await assert.rejects(newestByCreation(["v1-old", "v1-new"], failing), /429/);
});
