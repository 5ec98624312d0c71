import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildIgnoreMatcher,
  compileGlob,
  matcherFor,
  parseIgnorePatterns,
  type IgnoreMatcher,
} from "./ignore.ts";

function rules(content: string): IgnoreMatcher {
  return matcherFor(parseIgnorePatterns(content));
}

/** Asserts which of the paths (a trailing "/" marks a directory) the matcher excludes. */
function assertExcluded(matcher: IgnoreMatcher, expected: Record<string, boolean>): void {
  const actual = Object.fromEntries(
    Object.keys(expected).map((p) => [p, matcher(p.replace(/\/$/, ""), p.endsWith("/"))]),
  );
  assert.deepEqual(actual, expected);
}

const noFiles = new Map<string, string>();

describe("glob components", () => {
  it("compiles *, ?, classes, ranges, negation and escapes", () => {
    const cases: Array<[string, string, boolean]> = [
      ["*.yaml", "a.yaml", true],
      ["*.yaml", ".yaml", true],
      ["*.yaml", "a.yml", false],
      ["?.txt", "a.txt", true],
      ["?.txt", "ab.txt", false],
      ["?.txt", "ü.txt", true],
      ["[abc].md", "b.md", true],
      ["[a-c].md", "d.md", false],
      ["[!a-c].md", "d.md", true],
      ["[^a-c].md", "a.md", false],
      ["[]x]", "]", true],
      ["[a-]", "-", true],
      ["[[:digit:]]*", "7up", true],
      ["[[:digit:]]*", "up", false],
      ["\\*", "*", true],
      ["\\*", "a", false],
      ["a.b", "axb", false],
      ["a+(b)", "a+(b)", true],
      ["f**o", "fxyo", true],
    ];
    for (const [glob, name, expected] of cases) {
      assert.equal(compileGlob(glob)?.test(name), expected, `${glob} vs ${name}`);
    }
  });

  it("never matches a malformed glob", () => {
    assert.equal(compileGlob("[abc"), undefined);
    assert.equal(compileGlob("abc\\"), undefined);
  });
});

describe("pattern lines", () => {
  it("skips comments and blank lines, keeps escaped # and !, trims unescaped trailing spaces", () => {
    const matcher = rules("# comment\n\n   \n\\#hash\n\\!bang\ntrail   \nkeep\\ \r\n");
    assertExcluded(matcher, {
      "# comment": false,
      "#hash": true,
      "!bang": true,
      trail: true,
      "trail ": false,
      "keep ": true,
      keep: false,
    });
  });

  it("a pattern without a slash matches at any depth, files and directories", () => {
    assertExcluded(rules("*.log\nbuild"), {
      "app.log": true,
      "deep/er/app.log": true,
      "build/": true,
      "src/build": true,
      "src/build/out.js": true,
      "builder/x": false,
    });
  });

  it("a leading or middle slash anchors the pattern to its directory", () => {
    assertExcluded(rules("/root.txt\ndocs/*.md"), {
      "root.txt": true,
      "sub/root.txt": false,
      "docs/a.md": true,
      "docs/deep/a.md": false,
      "x/docs/a.md": false,
    });
  });

  it("a trailing slash matches directories only, and everything below them", () => {
    assertExcluded(rules("cache/"), {
      "cache/": true,
      cache: false,
      "a/cache/": true,
      "a/cache/file": true,
    });
  });

  it("** matches any number of directories at the start, middle and end", () => {
    assertExcluded(rules("**/secret.yaml\na/**/z.txt\nout/**"), {
      "secret.yaml": true,
      "x/y/secret.yaml": true,
      "a/z.txt": true,
      "a/b/c/z.txt": true,
      "b/a/z.txt": false,
      "out/": false,
      "out/x": true,
      "out/x/y": true,
    });
  });

  it("backtracks through ** to find a later match", () => {
    assertExcluded(rules("a/**/b/c"), { "a/b/x/b/c": true, "a/b/x/b/d": false });
  });

  it("later patterns override earlier ones, and a negation can re-include below an excluded directory", () => {
    assertExcluded(rules("*.yaml\n!keep.yaml\n/vendor/\n!/vendor/mod/keep.txt"), {
      "a.yaml": true,
      "keep.yaml": false,
      "sub/keep.yaml": false,
      "vendor/x.txt": true,
      "vendor/mod/keep.txt": false,
    });
  });

  it("a directory excluded after a negation excludes what the negation re-included", () => {
    assertExcluded(rules("!deploy/app.yaml\n/deploy/"), { "deploy/app.yaml": true });
  });
});

describe("buildIgnoreMatcher defaults", () => {
  it("applies Flux's default exclusions when no rules are given", () => {
    assertExcluded(buildIgnoreMatcher({ sourceIgnoreFiles: noFiles }), {
      ".git/": true,
      ".git/config": true,
      "sub/.git/HEAD": true,
      ".gitignore": true,
      ".gitmodules": true,
      ".gitattributes": true,
      "logo.png": true,
      "docs/photo.JPG": false,
      "docs/photo.jpg": true,
      "release.tar.gz": true,
      "bundle.zip": true,
      ".github/workflows/ci.yaml": true,
      ".circleci/config.yml": true,
      ".travis.yml": true,
      "sub/.gitlab-ci.yml": true,
      "cloudbuild.yaml": true,
      "deep/.sops.yaml": true,
      ".goreleaser.yml": true,
      ".flux.yaml": true,
      "deploy/app.yaml": false,
      ".sourceignore": false,
    });
  });
});

describe("buildIgnoreMatcher with rules", () => {
  it("drops the non-VCS defaults when spec.ignore holds a pattern, but keeps .git excluded", () => {
    const matcher = buildIgnoreMatcher({ specIgnore: "*.txt\n", sourceIgnoreFiles: noFiles });
    assertExcluded(matcher, {
      "logo.png": false,
      ".github/workflows/ci.yaml": false,
      ".git/config": true,
      ".gitignore": true,
      "notes.txt": true,
    });
  });

  it("keeps the defaults when spec.ignore holds only comments", () => {
    const matcher = buildIgnoreMatcher({ specIgnore: "# nothing\n\n", sourceIgnoreFiles: noFiles });
    assert.equal(matcher("logo.png", false), true);
  });

  it("drops the non-VCS defaults when a .sourceignore file holds a pattern", () => {
    const matcher = buildIgnoreMatcher({ sourceIgnoreFiles: new Map([["", "*.md\n"]]) });
    assertExcluded(matcher, { "logo.png": false, "README.md": true, ".git/HEAD": true });
  });

  it("scopes a .sourceignore file to its directory", () => {
    const files = new Map([
      ["apps", "*.md\n/local.yaml\n"],
      ["", "/top.txt\n"],
    ]);
    assertExcluded(buildIgnoreMatcher({ sourceIgnoreFiles: files }), {
      "README.md": false,
      "apps/README.md": true,
      "apps/x/README.md": true,
      "apps/local.yaml": true,
      "apps/x/local.yaml": false,
      "local.yaml": false,
      "top.txt": true,
      "apps/top.txt": false,
    });
  });

  it("gives deeper .sourceignore files and then spec.ignore the last word", () => {
    const files = new Map([
      ["a/b", "!keep.yaml\n"],
      ["a", "*.yaml\n"],
      ["", "!a/b/other.yaml\n"],
    ]);
    const matcher = buildIgnoreMatcher({ sourceIgnoreFiles: files, specIgnore: "a/b/keep.yaml" });
    assertExcluded(matcher, {
      "a/x.yaml": true,
      "a/b/other.yaml": true,
      "a/b/keep.yaml": true,
    });
    assertExcluded(buildIgnoreMatcher({ sourceIgnoreFiles: files }), { "a/b/keep.yaml": false });
  });

  it("supports the documented 'exclude all but deploy' example", () => {
    const specIgnore =
      "# exclude all\n/*\n# include deploy dir\n!/deploy\n/deploy/**/*.md\n/deploy/**/*.txt\n";
    assertExcluded(buildIgnoreMatcher({ specIgnore, sourceIgnoreFiles: noFiles }), {
      "README.md": true,
      "src/main.go": true,
      "deploy/app.yaml": false,
      "deploy/base/kustomization.yaml": false,
      "deploy/base/notes.md": true,
      "deploy/notes.txt": true,
    });
  });

  it("accepts ./ and trailing slashes in directory keys and paths", () => {
    const matcher = buildIgnoreMatcher({ sourceIgnoreFiles: new Map([["./apps/", "x"]]) });
    assert.equal(matcher("./apps/x", false), true);
    assert.equal(matcher("x", false), false);
  });
});
