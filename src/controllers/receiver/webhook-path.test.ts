import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { webhookPath } from "./webhook-path.ts";

describe("webhookPath", () => {
  it("is /hook/ + sha256(token + name + namespace) in lowercase hex", () => {
    const expected = createHash("sha256").update("s3cretgithub-receiverflux-system").digest("hex");
    assert.equal(webhookPath("s3cret", "github-receiver", "flux-system"), `/hook/${expected}`);
    assert.match(webhookPath("t", "n", "ns"), /^\/hook\/[0-9a-f]{64}$/);
  });

  it("depends on every part", () => {
    const base = webhookPath("token", "name", "ns");
    assert.notEqual(webhookPath("token2", "name", "ns"), base);
    assert.notEqual(webhookPath("token", "name2", "ns"), base);
    assert.notEqual(webhookPath("token", "name", "ns2"), base);
  });

  it("matches a digest computed independently (sha256 of 'tokennamens')", () => {
    assert.equal(
      webhookPath("token", "name", "ns"),
      "/hook/" + createHash("sha256").update(Buffer.from("tokennamens")).digest("hex"),
    );
  });
});
