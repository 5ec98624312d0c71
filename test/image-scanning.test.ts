import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test, type TestContext } from "node:test";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { testEnv } from "./helpers/env.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { pushTestImage, testRegistryClient } from "./helpers/registry.ts";
import { generateImage, pushImage } from "../src/oci/image.ts";
import { RegistryClient } from "../src/oci/registry-client.ts";
import { startTestRegistry } from "../src/oci/registry.test-support.ts";
import { startTestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const api = "image.toolkit.fluxcd.io/v1";
type Condition = { type: string; status: string; reason: string; message: string };
type Obj = KubeObject & {
  status?: {
    conditions?: Condition[];
    lastScanResult?: { tagCount: number; latestTags?: string[]; revision?: string };
    canonicalImageName?: string;
    latestRef?: { name: string; tag: string; digest?: string };
    latestImage?: string;
    observedPreviousRef?: { tag: string };
  };
};
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === "Ready");

async function fixture(t: TestContext, prefix: string) {
  const env = await testEnv();
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, prefix);
  await startTestServer(t, client, { namespace: ns, controllers: ["imagerepository", "imagepolicy"] });
  return { env, client, ns, repo: `${prefix}/app-${randomBytes(3).toString("hex")}` };
}

async function apply(
  client: KubeClient,
  ns: string,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion = api,
) {
  await client.apply(
    { apiVersion, kind, metadata: { name, namespace: ns }, spec },
    { fieldManager: "test", force: true },
  );
}

/** Asks the ImageRepository `app` to scan again now. */
const rescan = (client: KubeClient, ns: string) =>
  client.patch(
    { apiVersion: api, kind: "ImageRepository", name: "app", namespace: ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } },
  );

async function until(
  client: KubeClient,
  ns: string,
  kind: string,
  name: string,
  what: string,
  accept: (o: Obj) => boolean,
): Promise<Obj> {
  const get = () => client.get<Obj>(api, kind, name, ns);
  return waitFor(
    `${kind} ${ns}/${name}: ${what}`,
    async () => ((o) => (accept(o) ? o : undefined))(await get()),
    {
      describe: async () => JSON.stringify((await get()).status),
    },
  );
}

test("a scan lists the tags, excludes signatures, and policies pick the newest allowed tag, following new pushes", async (t) => {
  const { env, client, ns, repo } = await fixture(t, "img-scan");
  await pushTestImage(env, repo, [
    "1.0.0",
    "v1.2.0",
    "1.10.1",
    "2.0.0-rc.1",
    "2.0.0",
    "latest",
    "sha256-abc.sig",
    "main-abc-1700000000",
    "main-def-1700000100",
  ]);
  const image = `${env.registry}/${repo}`;
  await apply(client, ns, "ImageRepository", "app", { image, interval: "1h", insecure: true });
  const scanned = await until(
    client,
    ns,
    "ImageRepository",
    "app",
    "scanned",
    (o) => ready(o)?.status === "True",
  );
  assert.equal(scanned.status?.lastScanResult?.tagCount, 8, "the .sig tag is excluded by default");
  assert.match(ready(scanned)!.message, /successful scan: found 8 tags/);
  assert.equal(scanned.status?.canonicalImageName, image);

  const policies: [string, Record<string, unknown>, string][] = [
    ["semver", { policy: { semver: { range: "^1.0" } } }, "1.10.1"],
    ["semver-v", { policy: { semver: { range: ">=1.0.0 <1.5.0" } } }, "v1.2.0"],
    ["semver-pre", { policy: { semver: { range: ">=2.0.0-0" } } }, "2.0.0"],
    [
      "alpha",
      { policy: { alphabetical: { order: "asc" } }, filterTags: { pattern: "^main-" } },
      "main-def-1700000100",
    ],
    [
      "numeric",
      {
        policy: { numerical: { order: "asc" } },
        filterTags: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts" },
      },
      "main-def-1700000100",
    ],
  ];
  for (const [name, spec] of policies)
    await apply(client, ns, "ImagePolicy", name, { imageRepositoryRef: { name: "app" }, ...spec });
  for (const [name, , tag] of policies) {
    const p = await until(
      client,
      ns,
      "ImagePolicy",
      name,
      `selects ${tag}`,
      (o) => o.status?.latestRef?.tag === tag,
    );
    assert.equal(p.status?.latestImage, `${image}:${tag}`, "the legacy field older clients read");
  }

  await pushTestImage(env, repo, ["1.11.0"], { "v.txt": "1.11.0" });
  await rescan(client, ns);
  const moved = await until(
    client,
    ns,
    "ImagePolicy",
    "semver",
    "follows the new tag",
    (o) => o.status?.latestRef?.tag === "1.11.0",
  );
  assert.equal(moved.status?.observedPreviousRef?.tag, "1.10.1");
  const events = (await client.list("v1", "Event", { namespace: ns })).items.map((e) => String(e["message"]));
  assert.ok(
    events.some((m) => /updated from 1\.10\.1 to 1\.11\.0/.test(m)),
    "an event names the change",
  );
});

test("Flux v1's order (the image.sluice.dev/tag-order: created annotation): of the filtered tags, the image created last; a later push moves it", async (t) => {
  const { env, client, ns, repo } = await fixture(t, "img-created");
  const registry = testRegistryClient(env);
  t.after(() => registry.close());
  const push = (tag: string, created?: string) =>
    pushImage(registry, repo, [tag], generateImage({ files: { tag }, ...(created ? { created } : {}) }));
  await push("release-c", "2023-01-01T00:00:00Z");
  await push("release-a", "2025-06-01T00:00:00Z");
  await push("release-b", "2024-01-01T00:00:00Z");
  await push("release-x");
  await push("other", "2026-06-01T00:00:00Z");
  const image = `${env.registry}/${repo}`;
  await apply(client, ns, "ImageRepository", "app", { image, interval: "1h", insecure: true });
  const spec = {
    imageRepositoryRef: { name: "app" },
    policy: { alphabetical: { order: "asc" } },
    filterTags: { pattern: "^release-" },
  };
  await client.apply(
    {
      apiVersion: api,
      kind: "ImagePolicy",
      metadata: { name: "v1", namespace: ns, annotations: { "image.sluice.dev/tag-order": "created" } },
      spec,
    },
    { fieldManager: "test", force: true },
  );
  await apply(client, ns, "ImagePolicy", "v2", spec);
  await until(
    client,
    ns,
    "ImagePolicy",
    "v1",
    "the release created last",
    (o) => o.status?.latestRef?.tag === "release-a",
  );
  await until(
    client,
    ns,
    "ImagePolicy",
    "v2",
    "the release last in byte order, as Flux v2",
    (o) => o.status?.latestRef?.tag === "release-x",
  );

  await push("release-0", "2026-01-01T00:00:00Z");
  await rescan(client, ns);
  const moved = await until(
    client,
    ns,
    "ImagePolicy",
    "v1",
    "the newer push",
    (o) => o.status?.latestRef?.tag === "release-0",
  );
  assert.equal(moved.status?.observedPreviousRef?.tag, "release-a");
});

test("digest reflection, wrong credentials, a missing image, a bad range and a filter matching nothing get named reasons", async (t) => {
  const { env, client, ns, repo } = await fixture(t, "img-faults");
  const { digest } = await pushTestImage(env, repo, ["1.0.0"]);
  const image = `${env.registry}/${repo}`;
  await apply(client, ns, "ImageRepository", "app", { image, interval: "1h", insecure: true });
  await apply(client, ns, "ImageRepository", "missing", {
    image: `${env.registry}/nope/nothing`,
    interval: "1h",
    insecure: true,
  });
  await apply(client, ns, "ImageRepository", "no-secret", {
    image,
    interval: "1h",
    insecure: true,
    secretRef: { name: "absent" },
  });
  await apply(client, ns, "ImagePolicy", "digest", {
    imageRepositoryRef: { name: "app" },
    policy: { semver: { range: "*" } },
    digestReflectionPolicy: "IfNotPresent",
  });
  await apply(client, ns, "ImagePolicy", "nothing", {
    imageRepositoryRef: { name: "app" },
    policy: { semver: { range: ">=9.0.0" } },
  });
  await apply(client, ns, "ImagePolicy", "bad-regex", {
    imageRepositoryRef: { name: "app" },
    policy: { alphabetical: { order: "asc" } },
    filterTags: { pattern: "([" },
  });

  const d = await until(
    client,
    ns,
    "ImagePolicy",
    "digest",
    "digest reflected",
    (o) => !!o.status?.latestRef?.digest,
  );
  assert.equal(d.status?.latestRef?.digest, digest);
  const missing = await until(
    client,
    ns,
    "ImageRepository",
    "missing",
    "ReadOperationFailed",
    (o) => ready(o)?.reason === "ReadOperationFailed",
  );
  assert.match(ready(missing)!.message, /nope\/nothing/);
  const noSecret = await until(
    client,
    ns,
    "ImageRepository",
    "no-secret",
    "AuthenticationFailed",
    (o) => ready(o)?.reason === "AuthenticationFailed",
  );
  assert.match(ready(noSecret)!.message, new RegExp(`secret '${ns}/absent'`));
  const nothing = await until(
    client,
    ns,
    "ImagePolicy",
    "nothing",
    "no match",
    (o) => ready(o)?.status === "False",
  );
  assert.match(ready(nothing)!.message, /no tag of .* matches the policy \(1 tags in the latest scan\)/);
  assert.equal(nothing.status?.latestRef, undefined, "never a tag outside the range");
  const badRegex = await until(
    client,
    ns,
    "ImagePolicy",
    "bad-regex",
    "InvalidPolicy",
    (o) => ready(o)?.reason === "InvalidPolicy",
  );
  assert.equal(badRegex.status?.conditions?.find((c) => c.type === "Stalled")?.status, "True");
});

test("an authenticated registry: the v1beta1 guide YAML with a dockerconfigjson Secret works, a wrong password is AuthenticationFailed", async (t) => {
  const { client, ns } = await fixture(t, "img-auth");
  const auth = { username: "ci", password: "right-password-123" };
  const registry = await startTestRegistry({ auth });
  t.after(() => registry.stop());
  const push = new RegistryClient({ host: registry.host, insecure: true, credentials: auth });
  t.after(() => push.close());
  await pushImage(push, "team/app", ["0.0.1", "0.0.2", "0.1.0"], generateImage({ files: { "a.txt": "a" } }));
  const secret = async (name: string, password: string) => {
    const auths = { [registry.host]: { auth: Buffer.from(`ci:${password}`).toString("base64") } };
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name, namespace: ns },
        stringData: { ".dockerconfigjson": JSON.stringify({ auths }) },
      },
      { fieldManager: "test", force: true },
    );
  };
  await secret("regcred", auth.password);
  await secret("wrongcred", "not-the-password");
  const image = `${registry.host}/team/app`;
  const beta1 = "image.toolkit.fluxcd.io/v1beta1";
  await apply(
    client,
    ns,
    "ImageRepository",
    "app",
    { image, interval: "1m", insecure: true, secretRef: { name: "regcred" } },
    beta1,
  );
  await apply(
    client,
    ns,
    "ImageRepository",
    "wrong",
    { image, interval: "1m", insecure: true, secretRef: { name: "wrongcred" } },
    beta1,
  );
  await apply(
    client,
    ns,
    "ImagePolicy",
    "app",
    { imageRepositoryRef: { name: "app" }, policy: { semver: { range: "0.0.x" } } },
    beta1,
  );
  const p = await until(
    client,
    ns,
    "ImagePolicy",
    "app",
    "selects 0.0.2",
    (o) => o.status?.latestRef?.tag === "0.0.2",
  );
  assert.equal(p.status?.latestImage, `${image}:0.0.2`);
  const wrong = await until(
    client,
    ns,
    "ImageRepository",
    "wrong",
    "AuthenticationFailed",
    (o) => ready(o)?.reason === "AuthenticationFailed",
  );
  assert.ok(!ready(wrong)!.message.includes("not-the-password"), "no secret in the message");
});
