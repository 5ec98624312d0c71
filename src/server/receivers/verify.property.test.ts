import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import fc from "fast-check";
import { propertyParameters } from "../../common/property.test-support.ts";
import { verifyWebhook } from "./verify.ts";

/** Receiver types that authenticate a call with the token (a signature, or the token itself). */
const authenticating = ["generic-hmac", "github", "gitlab", "gitea", "bitbucket", "harbor", "nexus"];

const signatureHeaders = [
  "x-signature",
  "x-hub-signature",
  "x-hub-signature-256",
  "x-gitlab-token",
  "x-gitea-signature",
  "authorization",
  "x-nexus-webhook-signature",
];

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString("hex"));
const signatureLike = fc.oneof(
  fc.string({ maxLength: 80 }),
  hex(32).map((h) => `sha256=${h}`),
  hex(20).map((h) => `sha1=${h}`),
  hex(32),
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.json().map((j) => Buffer.from(j)),
);
// long enough that a random header equal to it is out of the question
const token = fc.string({ minLength: 16, maxLength: 40 });

it("never accepts a random signature or token, for any body", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...authenticating),
      body,
      token,
      fc.array(fc.tuple(fc.constantFrom(...signatureHeaders), signatureLike), { maxLength: 4 }),
      (type, rawBody, secret, headers) => {
        const result = verifyWebhook(type, { headers: Object.fromEntries(headers), rawBody }, secret);
        assert.equal(result.ok, false, JSON.stringify(result));
      },
    ),
    propertyParameters(),
  );
});

it("accepts the body's own HMAC, and refuses it for a body changed by one byte", () => {
  fc.assert(
    fc.property(body, token, fc.nat(), (rawBody, secret, at) => {
      const sign = (b: Buffer) => `sha256=${createHmac("sha256", secret).update(b).digest("hex")}`;
      const headers = { "x-signature": sign(rawBody) };
      assert.equal(verifyWebhook("generic-hmac", { headers, rawBody }, secret).ok, true);
      const changed = Buffer.from(rawBody.length > 0 ? rawBody : [0]);
      const i = at % changed.length;
      changed.writeUInt8(changed.readUInt8(i) ^ (rawBody.length > 0 ? 1 : 0), i);
      assert.equal(verifyWebhook("generic-hmac", { headers, rawBody: changed }, secret).ok, false);
    }),
    propertyParameters(),
  );
});
