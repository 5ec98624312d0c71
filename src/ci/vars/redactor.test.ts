import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interpolate } from "./interpolate.ts";
import { Redactor, redactingSource } from "./redactor.ts";
import { staticVarSource } from "./static-vars.ts";

describe("redaction of resolved values", () => {
  it("replaces every string of a value, line by line, trimmed, longest first", () => {
    const redactor = new Redactor();
    redactor.record({ user: "bot", password: "hunter22", key: "-----BEGIN-----\n  abcdef  \nx\n", port: 22 });
    redactor.record("hunter2");
    assert.equal(
      redactor.redact("login bot:hunter22 then hunter2; -----BEGIN-----\nabcdef\nx on port 22"),
      "login ((redacted)):((redacted)) then ((redacted)); ((redacted))\n((redacted))\nx on port 22",
    );
  });

  it("records what a source resolves during interpolation", async () => {
    const redactor = new Redactor();
    const source = redactingSource(
      staticVarSource({ git: { password: "pa55word", user: "me" } }, "test"),
      redactor,
    );
    await interpolate({ password: "((git.password))" }, source);
    assert.equal(redactor.redact("pa55word and me"), "((redacted)) and me");
  });
});
