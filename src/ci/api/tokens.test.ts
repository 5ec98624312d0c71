import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { LocalUsers, parseLocalUser } from "./local-users.ts";
import { TokenSigner } from "./tokens.ts";

const identity = { user: "local:admin", teams: ["main"], admin: true };

describe("TokenSigner", () => {
  it("verifies its own tokens until they expire", () => {
    let now = 1_000_000;
    const signer = new TokenSigner(randomBytes(32), { lifetimeSeconds: 60, now: () => now });
    const token = signer.sign(identity);
    assert.deepEqual(signer.verify(token), identity);
    now += 60_000;
    assert.equal(signer.verify(token), undefined);
  });

  it("refuses tampered claims, another key's tokens and garbage", () => {
    const signer = new TokenSigner(randomBytes(32));
    const [, mac] = signer.sign({ ...identity, admin: false }).split(".");
    const forged = Buffer.from(JSON.stringify({ ...identity, exp: 2 ** 40 })).toString("base64url");
    assert.equal(signer.verify(`${forged}.${mac}`), undefined);
    assert.equal(signer.verify(new TokenSigner(randomBytes(32)).sign(identity)), undefined);
    for (const garbage of ["", "x", "a.b.c", "."]) assert.equal(signer.verify(garbage), undefined);
  });

  it("wants a key of at least 32 bytes", () => {
    assert.throws(() => new TokenSigner(randomBytes(16)), /at least 32 bytes/);
  });
});

describe("local users", () => {
  it("parse NAME:PASSWORD, colons allowed in the password", () => {
    assert.deepEqual(parseLocalUser("admin:a:b"), { name: "admin", password: "a:b" });
    for (const bad of ["admin", ":pw", "admin:"]) assert.throws(() => parseLocalUser(bad), /NAME:PASSWORD/);
  });

  it("check the password of a known user only", () => {
    const users = new LocalUsers([{ name: "admin", password: "secret" }]);
    assert.equal(users.check("admin", "secret"), true);
    assert.equal(users.check("admin", "Secret"), false);
    assert.equal(users.check("other", "secret"), false);
  });
});
