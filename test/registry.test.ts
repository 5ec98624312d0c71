import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { testEnv } from "./helpers/env.ts";
import { pushTestImage, testRegistryClient } from "./helpers/registry.ts";

test("a generated image pushed under 120 tags is listed completely and resolves to its digest", async (t) => {
  const env = await testEnv();
  const repository = `test/app-${randomBytes(3).toString("hex")}`;
  const tags = Array.from({ length: 120 }, (_, i) => `1.0.${i}`);
  const { digest } = await pushTestImage(env, repository, tags);
  const client = testRegistryClient(env);
  t.after(() => client.close());

  const listed = await client.listTags(repository, { pageSize: 50 });
  assert.deepEqual([...listed].sort(), [...tags].sort());
  const head = await client.headManifest(repository, "1.0.119");
  assert.equal(head.digest, digest);
});
