import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { sha256Digest } from "../oci/digest.ts";
import { ArtifactStore, InvalidArtifactPathError, validateArtifactPath } from "./artifact-store.ts";

const owner = { kind: "GitRepository", namespace: "flux-system", name: "podinfo" } as const;

function content(body: string): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(body);
  return { bytes, digest: sha256Digest(bytes) };
}

async function setAge(store: ArtifactStore, artifactPath: string, secondsAgo: number): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(path.join(store.root, artifactPath), when, when);
}

let root: string;
let store: ArtifactStore;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "sluice-artifacts-"));
  store = new ArtifactStore({ root, baseUrl: "http://source-controller.flux-system.svc.cluster.local./" });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("ArtifactStore.put and get", () => {
  it("stores content by digest and describes it as a Flux Artifact", async () => {
    const { bytes, digest } = content("one");
    const artifact = await store.put({ ...owner, revision: "main@sha1:abc", bytes, digest });
    const hex = digest.slice("sha256:".length);
    assert.deepEqual(
      { ...artifact, lastUpdateTime: "" },
      {
        path: `gitrepository/flux-system/podinfo/${hex}.tar.gz`,
        url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/${hex}.tar.gz`,
        revision: "main@sha1:abc",
        digest,
        lastUpdateTime: "",
        size: 3,
      },
    );
    assert.match(artifact.lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(await store.exists(artifact.path), true);
    const stored = await store.get(artifact.path);
    assert.ok(stored);
    assert.equal(stored.size, 3);
    assert.equal(stored.digest, digest);
    assert.equal(await text(stored.stream), "one");
  });

  it("does not rewrite an existing digest, but marks it as the most recent", async () => {
    const { bytes, digest } = content("same");
    const first = await store.put({ ...owner, revision: "a", bytes, digest });
    await setAge(store, first.path, 3600);
    const before = (await stat(path.join(root, first.path))).ino;
    const second = await store.put({ ...owner, revision: "b", bytes, digest });
    assert.equal(second.path, first.path);
    assert.equal((await stat(path.join(root, second.path))).ino, before);
    assert.ok(Date.now() - Date.parse(second.lastUpdateTime) < 5000);
    const files = await readdir(path.dirname(path.join(root, first.path)));
    assert.ok(files.every((f) => !f.startsWith(".tmp-")));
  });

  it("refuses bytes that do not match the digest, and invalid names", async () => {
    const { bytes } = content("x");
    await assert.rejects(
      store.put({ ...owner, revision: "r", bytes, digest: content("y").digest }),
      /do not match digest/,
    );
    await assert.rejects(
      store.put({ ...owner, revision: "r", bytes, digest: "md5:abc" }),
      /unsupported digest/,
    );
    for (const bad of [{ namespace: ".." }, { name: "../x" }, { name: "a/b" }, { kind: "Git/Repo" }]) {
      await assert.rejects(
        store.put({ ...owner, ...bad, revision: "r", ...content("z") }),
        InvalidArtifactPathError,
      );
    }
  });
});

describe("ArtifactStore paths", () => {
  it("accepts only paths of the artifact shape", async () => {
    const hex = "a".repeat(64);
    assert.equal(
      validateArtifactPath(`gitrepository/ns/name/${hex}.tar.gz`),
      `gitrepository/ns/name/${hex}.tar.gz`,
    );
    const bad = [
      `../gitrepository/ns/name/${hex}.tar.gz`,
      `gitrepository/../name/${hex}.tar.gz`,
      `/gitrepository/ns/name/${hex}.tar.gz`,
      `gitrepository/ns/name/x/${hex}.tar.gz`,
      `gitrepository/ns/name/${hex}.tar`,
      `gitrepository/ns/name/${"A".repeat(64)}.tar.gz`,
      "gitrepository/ns/name/.tmp-0011.tar.gz",
      "",
    ];
    for (const p of bad) {
      assert.throws(() => validateArtifactPath(p), InvalidArtifactPathError, p);
      await assert.rejects(store.get(p), InvalidArtifactPathError);
    }
    assert.equal(await store.get(`gitrepository/ns/name/${hex}.tar.gz`), undefined);
    assert.equal(await store.exists(`gitrepository/ns/name/${hex}.tar.gz`), false);
  });

  it("does not follow a symlink planted in the store", async () => {
    const hex = "b".repeat(64);
    const dir = path.join(root, "gitrepository/ns/planted");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(root, "secret"), "secret");
    await symlink(path.join(root, "secret"), path.join(dir, `${hex}.tar.gz`));
    assert.equal(await store.get(`gitrepository/ns/planted/${hex}.tar.gz`), undefined);
    assert.equal(await store.exists(`gitrepository/ns/planted/${hex}.tar.gz`), false);
  });
});

describe("ArtifactStore.gc and deleteObject", () => {
  it("collects all but the kept and the N most recent artifacts, and stale temporary files", async () => {
    const gcOwner = { ...owner, name: "gc" };
    const paths: string[] = [];
    for (const [i, body] of ["a", "b", "c", "d"].entries()) {
      const artifact = await store.put({ ...gcOwner, revision: body, ...content(body) });
      await setAge(store, artifact.path, 100 - i * 10); // a oldest, d newest
      paths.push(artifact.path);
    }
    const [a, b, c, d] = paths;
    const directory = path.join(root, "gitrepository/flux-system/gc");
    await writeFile(path.join(directory, ".tmp-old"), "x");
    await utimes(path.join(directory, ".tmp-old"), new Date(0), new Date(0));
    await writeFile(path.join(directory, ".tmp-fresh"), "x");

    assert.deepEqual(await store.list(gcOwner), [d, c, b, a]);
    const removed = await store.gc({ ...gcOwner, keep: [a ?? ""], retain: 1 });
    assert.deepEqual(removed, [c, b]);
    assert.deepEqual(await store.list(gcOwner), [d, a]);
    assert.deepEqual(
      (await readdir(directory)).filter((f) => f.startsWith(".tmp-")),
      [".tmp-fresh"],
    );
    assert.deepEqual(await store.gc({ ...gcOwner, keep: [d ?? ""] }), [a]);
  });

  it("deletes every artifact of an object, and only of that object", async () => {
    const other = { ...owner, name: "other" };
    await store.put({ ...other, revision: "r", ...content("other") });
    const victim = { ...owner, name: "victim" };
    await store.put({ ...victim, revision: "r", ...content("v1") });
    await store.put({ ...victim, revision: "r", ...content("v2") });
    await store.deleteObject(victim.kind, victim.namespace, victim.name);
    assert.deepEqual(await store.list(victim), []);
    assert.equal((await store.list(other)).length, 1);
    await store.deleteObject(victim.kind, victim.namespace, victim.name);
    assert.deepEqual(await store.gc({ ...victim, keep: [] }), []);
  });
});
