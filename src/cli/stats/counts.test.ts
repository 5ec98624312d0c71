import assert from "node:assert/strict";
import { test } from "node:test";
import type { FluxObject } from "../shared/kinds.ts";
import { humanBytes, kindStats } from "./counts.ts";

const obj = (ready: string | undefined, suspend: boolean, size?: number): FluxObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "x", namespace: "n" },
  spec: { suspend },
  status: {
    ...(ready ? { conditions: [{ type: "Ready", status: ready, reason: "r", message: "m" }] } : {}),
    ...(size === undefined ? {} : { artifact: { size } }),
  },
});

test("running, failing and suspended are counted, and artifact sizes summed", () => {
  const stats = kindStats("GitRepository", [
    obj("True", false, 1000),
    obj("False", false, 2000),
    obj("True", true),
  ]);
  assert.deepEqual(stats, { kind: "GitRepository", running: 2, failing: 1, suspended: 1, storage: 3000 });
  assert.equal(kindStats("Kustomization", []).storage, undefined);
});

test("sizes read as flux prints them", () => {
  assert.equal(humanBytes(undefined), "-");
  assert.equal(humanBytes(512), "512 B");
  assert.equal(humanBytes(3000), "2.9 KiB");
  assert.equal(humanBytes(5 * 1024 * 1024), "5.0 MiB");
});
