import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWwwAuthenticate } from "./www-authenticate.ts";

describe("parseWwwAuthenticate", () => {
  it("reads a Bearer challenge with quoted parameters", () => {
    const header =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';
    assert.deepEqual(parseWwwAuthenticate([header]), [
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/nginx:pull",
        },
      },
    ]);
  });

  it("reads several challenges, unquoted values and escapes", () => {
    const header =
      'Basic realm="a \\"quoted\\" realm", Bearer realm=https://t.example/token, error="invalid_token"';
    assert.deepEqual(parseWwwAuthenticate([header]), [
      { scheme: "basic", params: { realm: 'a "quoted" realm' } },
      { scheme: "bearer", params: { realm: "https://t.example/token", error: "invalid_token" } },
    ]);
  });

  it("reads challenges spread over several headers and ignores token68 credentials", () => {
    assert.deepEqual(parseWwwAuthenticate(["Negotiate abc123==", 'Basic realm="r"']), [
      { scheme: "negotiate", params: {} },
      { scheme: "basic", params: { realm: "r" } },
    ]);
  });

  it("yields nothing for an empty header", () => {
    assert.deepEqual(parseWwwAuthenticate([""]), []);
  });
});
