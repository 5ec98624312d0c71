import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryMirrors } from "../../../oci/mirrors.ts";
import { renderDaemonConfig } from "./daemon-config.ts";

test("mirrors keep their path prefix; loopback and insecure registries speak plain HTTP", () => {
  const toml = renderDaemonConfig({
    root: "/data/builder/root",
    address: "unix:///tmp/x/buildkitd.sock",
    mirrors: RegistryMirrors.parse([
      "docker.io=127.0.0.1:5000/mirror/docker.io",
      "mcr.microsoft.com=mirror.example.com/mcr",
    ]),
    insecureRegistries: ["registry.lan:5000"],
    maxCacheBytes: 1024,
  });
  assert.match(toml, /^root = "\/data\/builder\/root"$/m);
  assert.match(toml, /address = \["unix:\/\/\/tmp\/x\/buildkitd.sock"\]/);
  assert.match(toml, /maxUsedSpace = "1024"/);
  assert.match(toml, /\[registry."docker.io"\]\n {2}mirrors = \["127.0.0.1:5000\/mirror\/docker.io"\]/);
  assert.match(toml, /\[registry."127.0.0.1:5000"\]\n {2}http = true/);
  assert.match(toml, /\[registry."mcr.microsoft.com"\]\n {2}mirrors = \["mirror.example.com\/mcr"\]/);
  assert.doesNotMatch(toml, /\[registry."mirror.example.com"\]/, "a mirror elsewhere keeps HTTPS");
  assert.match(toml, /\[registry."registry.lan:5000"\]\n {2}http = true/);
});
