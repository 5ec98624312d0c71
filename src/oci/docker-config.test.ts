import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  credentialsFor,
  DockerConfigError,
  dockerConfigFromSecret,
  parseDockerConfig,
  registryHost,
} from "./docker-config.ts";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const secretPassword = "s3cr3t:with:colons";

describe("docker config secrets: finding credentials", () => {
  it("reads the Secret from the Flux documentation (auth and username/password for Docker Hub)", () => {
    const secret = {
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson":
          "eyJhdXRocyI6eyJodHRwczovL2luZGV4LmRvY2tlci5pby92MS8iOnsidXNlcm5hbWUiOiJmb28iLCJwYXNzd29yZCI6ImJhciIsImF1dGgiOiJabTl2T21KaGNnPT0ifX19",
      },
    };
    const config = dockerConfigFromSecret(secret);
    const expected = { username: "foo", password: "bar" };
    for (const host of ["docker.io", "index.docker.io", "registry-1.docker.io", "DOCKER.IO"]) {
      assert.deepEqual(credentialsFor(config, host), expected, host);
    }
    assert.equal(credentialsFor(config, "ghcr.io"), undefined);
  });
});

describe("docker config secrets: registry keys", () => {
  const keys: [key: string, host: string][] = [
    ["https://index.docker.io/v1/", "docker.io"],
    ["docker.io", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["ghcr.io", "ghcr.io"],
    ["https://ghcr.io", "ghcr.io"],
    ["http://localhost:5000/", "localhost:5000"],
    ["localhost:5000", "localhost:5000"],
    ["Registry.Example.com:8443/v2/", "registry.example.com:8443"],
    ["127.0.0.1:5000/team", "127.0.0.1:5000"],
  ];
  for (const [key, host] of keys) {
    it(`finds the entry "${key}" for ${host}`, () => {
      const config = parseDockerConfig(
        JSON.stringify({ auths: { [key]: { auth: b64(`user:${secretPassword}`) } } }),
      );
      assert.deepEqual(credentialsFor(config, host), { username: "user", password: secretPassword });
      assert.equal(registryHost(key), host);
    });
  }
});

describe("docker config secrets: entries and formats", () => {
  it("prefers auth over username/password, and takes username/password alone", () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          "a.example": { auth: b64("from-auth:p1"), username: "from-fields", password: "p2" },
          "b.example": { username: "only-fields", password: "p3" },
        },
      }),
    );
    assert.deepEqual(credentialsFor(config, "a.example"), { username: "from-auth", password: "p1" });
    assert.deepEqual(credentialsFor(config, "b.example"), { username: "only-fields", password: "p3" });
  });

  it("reads a legacy .dockercfg Secret and stringData", () => {
    const legacy = dockerConfigFromSecret({
      type: "kubernetes.io/dockercfg",
      data: {
        ".dockercfg": b64(JSON.stringify({ "https://quay.io": { auth: b64("robot:pw"), email: "x@y" } })),
      },
    });
    assert.deepEqual(credentialsFor(legacy, "quay.io"), { username: "robot", password: "pw" });
    const plain = dockerConfigFromSecret({
      stringData: {
        ".dockerconfigjson": JSON.stringify({ auths: { "ghcr.io": { username: "u", password: "p" } } }),
      },
    });
    assert.deepEqual(credentialsFor(plain, "ghcr.io"), { username: "u", password: "p" });
  });

  it("a config without auths (credsStore only) has no credentials", () => {
    assert.equal(credentialsFor(parseDockerConfig('{"credsStore":"desktop"}'), "docker.io"), undefined);
  });
});

describe("docker config secrets: malformed content", () => {
  const malformed: [name: string, run: () => unknown, message: RegExp][] = [
    [
      "invalid JSON",
      () => parseDockerConfig(`{"auths": {"x": {"auth": "${secretPassword}"`),
      /\.dockerconfigjson is not valid JSON$/,
    ],
    [
      "auths that is not an object",
      () => parseDockerConfig('{"auths": ["x"]}'),
      /malformed: auths: expected record/,
    ],
    [
      "an entry that is not an object",
      () => parseDockerConfig(`{"auths": {"x": "${secretPassword}"}}`),
      /malformed: auths\.x: expected object/,
    ],
    [
      "a password that is not a string",
      () => parseDockerConfig('{"auths": {"x": {"username": "u", "password": 12345}}}'),
      /auths\.x\.password: expected string/,
    ],
    [
      "auth that is not base64",
      () => parseDockerConfig(`{"auths": {"x": {"auth": "${secretPassword}"}}}`),
      /"auth" must be the base64 encoding/,
    ],
    [
      "auth without a colon",
      () =>
        parseDockerConfig(
          JSON.stringify({ auths: { x: { auth: b64(secretPassword.replaceAll(":", "")) } } }),
        ),
      /"auth" must be the base64/,
    ],
    [
      "an identity token",
      () => parseDockerConfig('{"auths": {"x.azurecr.io": {"identitytoken": "tok"}}}'),
      /identity or registry token/,
    ],
    ["an empty entry", () => parseDockerConfig('{"auths": {"x": {}}}'), /neither "auth" nor "username"/],
    [
      "an empty registry key",
      () => parseDockerConfig('{"auths": {"https://": {"username": "u"}}}'),
      /without a registry host/,
    ],
    [
      "a Secret without the key",
      () => dockerConfigFromSecret({ type: "Opaque", data: { password: b64(secretPassword) } }),
      /neither a \.dockerconfigjson nor a \.dockercfg key/,
    ],
  ];
  for (const [name, run, message] of malformed) {
    it(`explains ${name} without revealing a secret`, () => {
      assert.throws(run, (error: unknown) => {
        assert.ok(error instanceof DockerConfigError, String(error));
        assert.match(error.message, message);
        for (const secret of [secretPassword, "s3cr3t", "12345", b64(secretPassword)]) {
          assert.ok(!error.message.includes(secret), `message reveals ${secret}: ${error.message}`);
        }
        return true;
      });
    });
  }
});
