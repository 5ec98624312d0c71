import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryBytes } from "./container-limits.ts";

test("container_limits.memory reads bytes and binary sizes, and refuses anything else by name", () => {
  assert.equal(memoryBytes(1048576), 1048576);
  assert.equal(memoryBytes("64MB"), 64 * 1024 ** 2);
  assert.equal(memoryBytes("1GB"), 1024 ** 3);
  assert.equal(memoryBytes("1.5g"), 1.5 * 1024 ** 3);
  assert.equal(memoryBytes("512 MiB"), 512 * 1024 ** 2);
  assert.equal(memoryBytes("4096"), 4096);
  assert.throws(() => memoryBytes("lots"), /container_limits\.memory: "lots" is not a size/);
  assert.throws(() => memoryBytes(-5), /is not a size/);
});
