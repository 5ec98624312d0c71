import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { parse } from "yaml";
import { z } from "zod";
import { writeRegistryConfig } from "./registry.ts";

/** The parts of the written config.yml these tests check. */
const WrittenConfig = z.object({
  http: z.object({ addr: z.string(), tls: z.unknown().optional() }),
  storage: z.object({
    filesystem: z.object({ rootdirectory: z.string() }),
    delete: z.object({ enabled: z.boolean() }),
  }),
  auth: z.object({ htpasswd: z.object({ path: z.string() }) }).optional(),
  notifications: z.object({ endpoints: z.array(z.object({ url: z.string() })) }).optional(),
});

async function readConfig(file: string): Promise<z.infer<typeof WrittenConfig>> {
  return WrittenConfig.parse(parse(await readFile(file, "utf8")));
}

describe("writeRegistryConfig", () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sluice-registry-config-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a plain-HTTP filesystem registry with deletes enabled", async () => {
    const target = path.join(dir, "plain");
    const launch = await writeRegistryConfig(target, { host: "127.0.0.1", port: 5123 });
    assert.deepEqual(launch.command, ["docker-registry", "serve", launch.configPath]);
    const config = await readConfig(launch.configPath);
    assert.equal(config.http.addr, "127.0.0.1:5123");
    assert.equal(config.http.tls, undefined);
    assert.equal(config.storage.filesystem.rootdirectory, path.join(target, "storage"));
    assert.equal(config.storage.delete.enabled, true);
    assert.equal(config.auth, undefined);
    assert.equal(config.notifications, undefined);
  });

  it("adds htpasswd auth with a bcrypt hash and a notifications endpoint", async () => {
    const target = path.join(dir, "auth");
    const launch = await writeRegistryConfig(target, {
      host: "::1",
      port: 5124,
      auth: { username: "dev", password: "dev-Pa55" },
      notifications: { url: "http://127.0.0.1:9000/hooks/registry" },
    });
    const config = await readConfig(launch.configPath);
    assert.equal(config.http.addr, "[::1]:5124");
    const htpasswd = config.auth?.htpasswd.path ?? "";
    const [user, hash] = (await readFile(htpasswd, "utf8")).trim().split(":");
    assert.equal(user, "dev");
    assert.ok(bcrypt.compareSync("dev-Pa55", hash ?? ""));
    assert.equal((await stat(htpasswd)).mode & 0o777, 0o600);
    assert.equal(config.notifications?.endpoints[0]?.url, "http://127.0.0.1:9000/hooks/registry");
  });

  it("refuses a username htpasswd cannot hold", async () => {
    await assert.rejects(
      writeRegistryConfig(path.join(dir, "bad"), {
        host: "127.0.0.1",
        port: 1,
        auth: { username: "a:b", password: "x" },
      }),
      /must be non-empty without ':'/,
    );
  });
});
