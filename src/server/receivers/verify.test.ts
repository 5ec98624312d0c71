import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import {
  eventAllowed,
  hmacMatches,
  secretEquals,
  verifyGenericHmac,
  verifyGitHub,
  verifyWebhook,
} from "./verify.ts";

const body = Buffer.from('{"a":1}');
const sig = (algo: string, key = "k") => createHmac(algo, key).update(body).digest("hex");

describe("verify helpers", () => {
  it("compares secrets in constant time and refuses empty tokens", () => {
    assert.equal(secretEquals("abc", "abc"), true);
    assert.equal(secretEquals("abc", "abcd"), false);
    assert.equal(secretEquals(undefined, "abc"), false);
    assert.equal(secretEquals("", ""), false);
  });

  it("checks hex HMACs of the right length only", () => {
    assert.equal(hmacMatches("sha256", sig("sha256"), body, "k"), true);
    assert.equal(hmacMatches("sha256", sig("sha256").toUpperCase(), body, "k"), true);
    assert.equal(hmacMatches("sha256", sig("sha256").slice(2), body, "k"), false);
    assert.equal(hmacMatches("sha256", sig("sha1"), body, "k"), false);
    assert.equal(hmacMatches("sha256", "zz".repeat(32), body, "k"), false);
    assert.equal(hmacMatches("sha256", sig("sha256", ""), body, ""), false);
  });

  it("matches events case-insensitively; empty list allows all", () => {
    assert.equal(eventAllowed("Push", []), true);
    assert.equal(eventAllowed(undefined, []), true);
    assert.equal(eventAllowed("PUSH", ["push"]), true);
    assert.equal(eventAllowed(undefined, ["push"]), false);
    assert.equal(eventAllowed("tag_push", ["push"]), false);
  });
});

describe("verifiers", () => {
  it("generic-hmac takes sha1=, sha256= and sha512=, nothing else", () => {
    for (const algo of ["sha1", "sha256", "sha512"]) {
      const result = verifyGenericHmac(
        { headers: { "x-signature": `${algo}=${sig(algo)}` }, rawBody: body },
        "k",
      );
      assert.equal(result.ok, true, algo);
    }
    for (const header of [sig("sha256"), `md5=${sig("md5")}`, `sha256=${sig("sha512")}`, ""]) {
      const result = verifyGenericHmac({ headers: { "x-signature": header }, rawBody: body }, "k");
      assert.deepEqual(result.ok ? "ok" : result.status, 401, header);
    }
  });

  it("github prefers X-Hub-Signature-256 over X-Hub-Signature", () => {
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "x-github-event": "push",
      "x-hub-signature-256": `sha256=${sig("sha256", "wrong")}`,
      "x-hub-signature": `sha1=${sig("sha1")}`,
    };
    assert.equal(verifyGitHub({ headers, rawBody: body }, "k").ok, false);
    const { "x-hub-signature-256": _, ...sha1Only } = headers;
    assert.deepEqual(verifyGitHub({ headers: sha1Only, rawBody: body }, "k"), {
      ok: true,
      event: "push",
      reconcile: true,
    });
  });

  it("refuses an unsupported type with 400", () => {
    assert.deepEqual(verifyWebhook("gcr", { headers: {}, rawBody: body }, "k"), {
      ok: false,
      status: 400,
      reason: "unsupported receiver type",
    });
  });
});
