import assert from "node:assert/strict";
import { test } from "node:test";
import { ResourceError } from "../resource.ts";
import { parseRegistryImageSource } from "./source.ts";

function invalid(source: Record<string, unknown>, message: RegExp): void {
  assert.throws(
    () => parseRegistryImageSource(source),
    (error: unknown) =>
      error instanceof ResourceError && error.reason === "InvalidConfig" && message.test(error.message),
  );
}

test("a source without tag watches semver tags; tag, tag_regex and semver_constraint pick what check watches", () => {
  assert.equal(parseRegistryImageSource({ repository: "golang" }).watch.kind, "semver");
  assert.deepEqual(parseRegistryImageSource({ repository: "golang", tag: 1.22 }).watch, {
    kind: "tag",
    tag: "1.22",
  });
  assert.equal(parseRegistryImageSource({ repository: "golang", tag_regex: "^1\\." }).watch.kind, "regex");
  const source = parseRegistryImageSource({ repository: "golang" });
  assert.deepEqual(source.origin.location, { registry: "docker.io", repository: "library/golang" });
  assert.equal(source.platform.os, "linux");
});

test("registry_mirror serves Docker Hub images only, with its own credentials", () => {
  const hub = parseRegistryImageSource({
    repository: "golang",
    username: "origin-user",
    password: "origin-secret",
    registry_mirror: { host: "127.0.0.1:5000", username: "m", password: "p" },
  });
  assert.deepEqual(hub.registryMirror?.location, {
    registry: "127.0.0.1:5000",
    repository: "library/golang",
  });
  assert.deepEqual(hub.registryMirror?.credentials, { username: "m", password: "p" });
  const other = parseRegistryImageSource({
    repository: "ghcr.io/org/app",
    registry_mirror: { host: "127.0.0.1:5000" },
  });
  assert.equal(other.registryMirror, undefined);
});

test("bad sources are InvalidConfig errors naming the field", () => {
  invalid({ repository: "golang", aws_access_key_id: "x" }, /aws_access_key_id: Amazon ECR .* not supported/);
  invalid(
    { repository: "golang", tag: "1", tag_regex: "x" },
    /at most one of tag, tag_regex and semver_constraint/,
  );
  invalid({ repository: "golang:1.22" }, /names a tag or digest/);
  invalid({ repository: "Bad/Name" }, /source.repository|repository:/);
  invalid({ repository: "golang", tag_regex: "(" }, /tag_regex/);
  invalid({ repository: "golang", semver_constraint: "not a range" }, /semver_constraint/);
  invalid({ repository: "golang", username: "only-user" }, /needs both username and password/);
  invalid({}, /source.repository/);
});
