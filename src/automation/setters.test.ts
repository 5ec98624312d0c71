import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  applySetters,
  applySettersToTree,
  parseMarkerComment,
  SetterParseError,
  UpdatePathError,
} from "./setters.ts";
import { goldenPolicies } from "./testdata/fixtures.ts";

const testdata = path.join(import.meta.dirname, "testdata", "setters");

async function goldenCases(): Promise<{ name: string; input: string; expected: string }[]> {
  const names = (await readdir(testdata)).filter((n) => n.endsWith(".yaml.in")).sort();
  return Promise.all(
    names.map(async (n) => {
      const name = n.slice(0, -".in".length);
      return {
        name,
        input: await readFile(path.join(testdata, n), "utf8"),
        expected: await readFile(path.join(testdata, `${name}.out`), "utf8"),
      };
    }),
  );
}

describe("applySetters golden files (testdata/setters/*.yaml.in → *.yaml.out)", () => {
  it("has golden cases", async () => {
    assert.ok((await goldenCases()).length >= 4);
  });

  const variants: [string, (s: string) => string][] = [
    ["as written", (s) => s],
    ["with CRLF line endings", (s) => s.replaceAll("\n", "\r\n")],
    ["with a byte order mark", (s) => `\uFEFF${s}`],
  ];
  for (const [variant, transform] of variants) {
    it(`rewrites only the marked scalars, byte for byte, ${variant}`, async () => {
      for (const { name, input, expected } of await goldenCases()) {
        const result = applySetters(transform(input), goldenPolicies);
        assert.equal(result.text, transform(expected), name);
        assert.ok(result.changes.length > 0, name);
      }
    });
  }

  it("is idempotent: the expected files change nothing and come back as the same string", async () => {
    for (const { name, expected } of await goldenCases()) {
      const result = applySetters(expected, goldenPolicies);
      assert.equal(result.changes.length, 0, name);
      assert.equal(result.text, expected, name);
    }
  });
});

describe("applySetters changes", () => {
  it("reports line, column, setter, field, values, image and object of each change", async () => {
    const input = await readFile(path.join(testdata, "deployment.yaml.in"), "utf8");
    const { changes, skipped } = applySetters(input, goldenPolicies);
    assert.deepEqual(
      changes.map((c) => [c.line, c.column, c.setter, c.field, c.from, c.to]),
      [
        [
          15,
          18,
          "flux-system:podinfo",
          "image",
          "ghcr.io/stefanprodan/podinfo:6.0.0",
          "ghcr.io/stefanprodan/podinfo:6.5.4",
        ],
        [
          20,
          18,
          "flux-system:busybox",
          "image",
          "docker.io/library/busybox:1.36",
          "docker.io/library/busybox:1.37",
        ],
        [
          26,
          20,
          "flux-system:podinfo-digest",
          "image",
          "ghcr.io/stefanprodan/podinfo:6.0.0@sha256:0000000000000000000000000000000000000000000000000000000000000000",
          "ghcr.io/stefanprodan/podinfo:6.5.4@sha256:6129bb944cada32b4662eafd13fd9904d34c77286bf2ec4523eaedb711757cb0",
        ],
      ],
    );
    assert.deepEqual(changes[0]?.object, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "podinfo",
      namespace: "default",
    });
    assert.equal(changes[0]?.policy, "flux-system:podinfo");
    assert.equal(changes[0]?.image, "ghcr.io/stefanprodan/podinfo:6.5.4");
    assert.deepEqual(
      skipped.map((s) => [s.line, s.reason, s.setter]),
      [[22, "unknown-policy", "flux-system:not-here"]],
    );
  });

  it("reports markers it cannot use, with a reason", async () => {
    const input = await readFile(path.join(testdata, "helmrelease.yaml.in"), "utf8");
    const { skipped } = applySetters(input, goldenPolicies);
    assert.deepEqual(
      skipped.map((s) => [s.line, s.reason, s.setter]),
      [
        [21, "no-value", "apps:worker:digest"],
        [23, "invalid-marker", "web"],
        [25, "invalid-marker", "apps:web:label"],
      ],
    );
  });
});

describe("applySetters edge cases", () => {
  it("returns the very same string when nothing changes", () => {
    const text = 'image: ghcr.io/stefanprodan/podinfo:6.5.4 # {"$imagepolicy": "flux-system:podinfo"}\n';
    const result = applySetters(text, goldenPolicies);
    assert.equal(result.text, text);
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.skipped, []);
  });

  it("does not parse text without markers at all, not even broken YAML", () => {
    const text = "{{ if .Values.x }}\nkey: [unclosed\n";
    assert.equal(applySetters(text, goldenPolicies).text, text);
  });

  it("throws a SetterParseError with a position for broken YAML that has markers", () => {
    const text = 'a: 1\nimage: foo # {"$imagepolicy": "flux-system:podinfo"}\nb: [unclosed\n';
    assert.throws(
      () => applySetters(text, goldenPolicies),
      (err: unknown) => err instanceof SetterParseError && err.line >= 3,
    );
  });

  it("keeps quote styles, and double-quotes a plain value that would not read back as a string", () => {
    const policies = new Map([["ns:p", { name: "repo", tag: "1.10" }]]);
    const cases: [string, string][] = [
      ['tag: 1.9 # {"$imagepolicy": "ns:p:tag"}\n', 'tag: "1.10" # {"$imagepolicy": "ns:p:tag"}\n'],
      ['tag: \'1.9\' # {"$imagepolicy": "ns:p:tag"}\n', 'tag: \'1.10\' # {"$imagepolicy": "ns:p:tag"}\n'],
      ['tag: "1.9" # {"$imagepolicy": "ns:p:tag"}\n', 'tag: "1.10" # {"$imagepolicy": "ns:p:tag"}\n'],
      ['tag: v1 # {"$imagepolicy": "ns:p:name"}\n', 'tag: repo # {"$imagepolicy": "ns:p:name"}\n'],
    ];
    for (const [input, expected] of cases) assert.equal(applySetters(input, policies).text, expected);
    const yes = new Map([["ns:p", { name: "repo", tag: "yes" }]]);
    assert.equal(
      applySetters('tag: v1 # {"$imagepolicy": "ns:p:tag"}\n', yes).text,
      'tag: "yes" # {"$imagepolicy": "ns:p:tag"}\n',
    );
  });

  it("reports markers that do not follow a scalar on their line", () => {
    const text = [
      '# {"$imagepolicy": "flux-system:podinfo"}',
      "image: foo:1",
      'empty: # {"$imagepolicy": "flux-system:podinfo"}',
      'block: | # {"$imagepolicy": "flux-system:podinfo"}',
      "  foo:1",
      "",
    ].join("\n");
    const result = applySetters(text, goldenPolicies);
    assert.equal(result.text, text);
    assert.deepEqual(
      result.skipped.map((s) => [s.line, s.reason]),
      [
        [1, "not-on-scalar"],
        [3, "not-on-scalar"],
        [4, "not-on-scalar"],
      ],
    );
  });
});

describe("parseMarkerComment", () => {
  it("reads the shorthand with any JSON spacing and any number of #", () => {
    for (const comment of [
      '# {"$imagepolicy": "ns:p"}',
      '#{"$imagepolicy":"ns:p"}',
      '##   {  "$imagepolicy" :  "ns:p"  }  ',
      '# {"$imagepolicy": "ns:p", "other": "x"}',
    ]) {
      assert.deepEqual(
        parseMarkerComment(comment),
        { setter: "ns:p", policy: "ns:p", field: "image" },
        comment,
      );
    }
    assert.deepEqual(parseMarkerComment('# {"$imagepolicy": "ns:p:digest"}'), {
      setter: "ns:p:digest",
      policy: "ns:p",
      field: "digest",
    });
  });

  it("ignores comments that are not markers and flags broken ones", () => {
    assert.equal(parseMarkerComment("# just a comment"), undefined);
    assert.equal(parseMarkerComment('# {"other": "$imagepolicy"}'), undefined);
    assert.ok(parseMarkerComment('# {"$imagepolicy": "ns:p"') !== undefined);
    assert.ok("invalid" in (parseMarkerComment('# {"$imagepolicy": "ns:p", "n": 1}') ?? {}));
    assert.ok("invalid" in (parseMarkerComment('# {"$imagepolicy": "ns:p:tag:x"}') ?? {}));
    assert.ok("invalid" in (parseMarkerComment('# {"$imagepolicy": ":p"}') ?? {}));
  });
});

/** A repository with marked files in and out of the update path, links out, and a broken file. */
async function makeTree(base: string, repo: string, app: string): Promise<void> {
  const deployment = await readFile(path.join(testdata, "deployment.yaml.in"), "utf8");
  const kustomization = await readFile(path.join(testdata, "kustomization.yaml.in"), "utf8");
  const marker = 'image: ghcr.io/stefanprodan/podinfo:6.0.0 # {"$imagepolicy": "flux-system:podinfo"}\n';
  const files: Record<string, string> = {
    [`${app}/deployment.yaml`]: deployment,
    [`${app}/kustomization.yaml`]: kustomization,
    [`${app}/nested/Kustomization`]: marker,
    [`${app}/unchanged.yml`]: marker.replace("6.0.0", "6.5.4"),
    [`${app}/notes.txt`]: marker,
    [`${app}/.git/config.yaml`]: marker,
    "clusters/my-cluster/broken.yaml": `${marker}: [\n`,
    "clusters/other/deployment.yaml": marker,
    "../outside/target.yaml": marker,
  };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  await symlink(path.join(base, "outside", "target.yaml"), path.join(repo, app, "link.yaml"));
  await symlink(path.join(base, "outside"), path.join(repo, app, "linked-dir"));
  await symlink(path.join(base, "outside"), path.join(repo, "escape"));
}

describe("applySettersToTree", () => {
  let base: string;
  let repo: string;
  const app = "clusters/my-cluster/apps";

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), "sluice-setters-"));
    repo = path.join(base, "repo");
    await makeTree(base, repo, app);
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("refuses an update path that leaves the repository, by .. or through a link", async () => {
    await assert.rejects(applySettersToTree(repo, goldenPolicies, { path: "../outside" }), UpdatePathError);
    await assert.rejects(applySettersToTree(repo, goldenPolicies, { path: "/etc" }), UpdatePathError);
    await assert.rejects(applySettersToTree(repo, goldenPolicies, { path: "escape" }), UpdatePathError);
    await assert.rejects(applySettersToTree(repo, goldenPolicies, { path: "missing" }), UpdatePathError);
  });

  it("computes without writing on a dry run", async () => {
    const before = await readFile(path.join(repo, app, "deployment.yaml"), "utf8");
    const result = await applySettersToTree(repo, goldenPolicies, {
      path: "clusters/my-cluster",
      dryRun: true,
    });
    assert.equal(result.files.length, 3);
    assert.equal(await readFile(path.join(repo, app, "deployment.yaml"), "utf8"), before);
  });

  it("writes the changed files under the update path, and only those", async () => {
    const unchangedBefore = await stat(path.join(repo, app, "unchanged.yml"));
    const result = await applySettersToTree(repo, goldenPolicies, { path: "./clusters/my-cluster" });
    assert.deepEqual(
      result.files.map((f) => [f.file, f.repoPath, f.changes.length]),
      [
        ["apps/deployment.yaml", `${app}/deployment.yaml`, 3],
        ["apps/kustomization.yaml", `${app}/kustomization.yaml`, 4],
        ["apps/nested/Kustomization", `${app}/nested/Kustomization`, 1],
      ],
    );
    assert.equal(result.changes.length, 8);
    assert.deepEqual(
      result.skipped.map((s) => [s.file, s.reason]),
      [["apps/deployment.yaml", "unknown-policy"]],
    );
    assert.deepEqual(
      result.problems.map((p) => p.file),
      ["broken.yaml"],
    );
    const expected = await readFile(path.join(testdata, "deployment.yaml.out"), "utf8");
    assert.equal(await readFile(path.join(repo, app, "deployment.yaml"), "utf8"), expected);
    const untouched = 'image: ghcr.io/stefanprodan/podinfo:6.0.0 # {"$imagepolicy": "flux-system:podinfo"}\n';
    for (const file of [
      `${app}/notes.txt`,
      `${app}/.git/config.yaml`,
      "clusters/other/deployment.yaml",
      "../outside/target.yaml",
    ]) {
      assert.equal(await readFile(path.join(repo, file), "utf8"), untouched, file);
    }
    assert.equal(
      (await stat(path.join(repo, app, "unchanged.yml"))).mtimeMs,
      unchangedBefore.mtimeMs,
      "an up-to-date file is not rewritten",
    );
    const again = await applySettersToTree(repo, goldenPolicies, { path: "clusters/my-cluster" });
    assert.deepEqual(again.files, []);
  });

  it("accepts a single file as the update path", async () => {
    const result = await applySettersToTree(repo, goldenPolicies, { path: "clusters/other/deployment.yaml" });
    assert.deepEqual(
      result.files.map((f) => [f.file, f.repoPath]),
      [["deployment.yaml", "clusters/other/deployment.yaml"]],
    );
  });
});
