import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidMirrorError, parseRegistryMirror, RegistryMirrors } from "./mirrors.ts";
import { formatImageReference, parseImageReference, speaksPlainHttp } from "./reference.ts";

const mirrors = RegistryMirrors.parse([
  "mcr.microsoft.com=127.0.0.1:5000/mirror/mcr.microsoft.com",
  "index.docker.io=127.0.0.1:5000/mirror/docker.io",
  "ghcr.io=mirror.internal:8443",
]);

const mirrored = (image: string) => formatImageReference(mirrors.apply(parseImageReference(image)));

test("an image of a mirrored registry is pulled from the mirror, under its path prefix", () => {
  const table: [string, string][] = [
    ["mcr.microsoft.com/dotnet/sdk:8.0", "127.0.0.1:5000/mirror/mcr.microsoft.com/dotnet/sdk:8.0"],
    ["golang", "127.0.0.1:5000/mirror/docker.io/library/golang"],
    ["golang:1.22", "127.0.0.1:5000/mirror/docker.io/library/golang:1.22"],
    ["docker.io/alpine/git:v2", "127.0.0.1:5000/mirror/docker.io/alpine/git:v2"],
    ["index.docker.io/library/busybox", "127.0.0.1:5000/mirror/docker.io/library/busybox"],
    ["registry-1.docker.io/library/node:22", "127.0.0.1:5000/mirror/docker.io/library/node:22"],
    ["ghcr.io/org/app@sha256:" + "a".repeat(64), "mirror.internal:8443/org/app@sha256:" + "a".repeat(64)],
    ["quay.io/org/app:1", "quay.io/org/app:1"],
  ];
  for (const [image, expected] of table) assert.equal(mirrored(image), expected, image);
});

test("a mirror is HOST=host[:port][/path-prefix]; bad ones are refused naming the problem", () => {
  assert.deepEqual(parseRegistryMirror("docker.io=localhost:5000/"), {
    host: "docker.io",
    mirrorRegistry: "localhost:5000",
    prefix: "",
  });
  const bad: [string, RegExp][] = [
    ["docker.io", /expected HOST=MIRROR/],
    ["=127.0.0.1:5000", /"" is not a registry host/],
    ["docker.io=", /is not a registry host\[:port\]/],
    ["docker.io=127.0.0.1:5000/Mirror", /path prefix "Mirror"/],
    ["docker.io=bad host", /is not a registry host/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseRegistryMirror(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidMirrorError);
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.throws(
    () => RegistryMirrors.parse(["docker.io=a.example", "index.docker.io=b.example"]),
    /docker.io is mirrored more than once/,
  );
});

test("loopback registries speak plain HTTP without being told; others only when insecure", () => {
  for (const host of ["localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "LOCALHOST"]) {
    assert.equal(speaksPlainHttp(host), true, host);
  }
  for (const host of ["registry.example:5000", "10.0.0.1:5000", "127.0.0.1.nip.io", "docker.io"]) {
    assert.equal(speaksPlainHttp(host), false, host);
    assert.equal(speaksPlainHttp(host, true), true, host);
  }
});
