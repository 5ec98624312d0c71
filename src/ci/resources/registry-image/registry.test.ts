import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError } from "../../../oci/errors.ts";
import { ResourceError } from "../resource.ts";
import { asResourceError } from "./registry.ts";

const failure = (status: number, code?: string) =>
  new RegistryError({
    registry: "registry.example",
    operation: "looking up manifest app:v1",
    reason: "http",
    status,
    errors: code ? [{ code }] : [],
  });

test("registry failures become resource errors: refused credentials, missing things, everything else", () => {
  const table: [RegistryError, string][] = [
    [failure(401, "UNAUTHORIZED"), "AuthenticationFailed"],
    [failure(403), "AuthenticationFailed"],
    [failure(404, "MANIFEST_UNKNOWN"), "NotFound"],
    [failure(404, "NAME_UNKNOWN"), "NotFound"],
    [failure(429, "TOOMANYREQUESTS"), "Failed"],
    [failure(500), "Failed"],
  ];
  for (const [error, reason] of table) {
    const mapped = asResourceError(error);
    assert.ok(mapped instanceof ResourceError);
    assert.equal(mapped.reason, reason, `${error.status} ${error.code ?? ""}`);
    assert.equal(mapped.message, error.message);
  }
  const other = new Error("disk full");
  assert.equal(asResourceError(other), other);
});
