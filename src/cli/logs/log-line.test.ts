import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEntry, matches, parseLogLine } from "./log-line.ts";

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ time: "2026-12-03T10:00:00.000Z", level: "info", msg: "done", ...fields });

test("an object's line prints as flux logs prints it; a part's line names the part", () => {
  const object = parseLogLine(line({ kind: "Kustomization", namespace: "apps", name: "web" }));
  assert.equal(formatEntry(object!), "2026-12-03T10:00:00.000Z info Kustomization/web.apps - done");
  const part = parseLogLine(line({ level: "error", controller: "gitrepository", err: { message: "boom" } }));
  assert.equal(formatEntry(part!), "2026-12-03T10:00:00.000Z error gitrepository - done: boom");
});

test("lines that are not JSON objects are not entries", () => {
  for (const text of ["", "starting", "[1,2]", "{not json", "null"])
    assert.equal(parseLogLine(text), undefined);
});

test("filters: level is a minimum, kind is case-insensitive, name and namespace exact", () => {
  const entry = parseLogLine(
    line({ level: "warn", kind: "GitRepository", namespace: "flux-system", name: "app" }),
  )!;
  assert.equal(matches(entry, { level: "info" }), true);
  assert.equal(matches(entry, { level: "error" }), false);
  assert.equal(matches(entry, { kind: "gitrepository" }), true);
  assert.equal(matches(entry, { kind: "kustomization" }), false);
  assert.equal(matches(entry, { name: "app", namespace: "flux-system" }), true);
  assert.equal(matches(entry, { name: "app", namespace: "default" }), false);
  assert.equal(matches(entry, { name: "other" }), false);
});
