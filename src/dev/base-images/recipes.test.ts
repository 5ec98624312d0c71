import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidRepository, isValidTag } from "../../oci/reference.ts";
import { mmdebstrapArgs } from "./mmdebstrap.ts";
import { baseImageRecipes } from "./recipes.ts";

const recipes = baseImageRecipes({ HELM_VERSION: "v3.21.4" });
const output = { tar: "/out/rootfs.tar", versions: "/out/packages.txt" };

describe("base image recipes", () => {
  it("mirror every name at most once, as valid repositories and tags", () => {
    const seen = new Map<string, string>();
    for (const recipe of recipes) {
      for (const [repository, tags] of Object.entries(recipe.mirrors)) {
        assert.ok(isValidRepository(`mirror/${repository}`), repository);
        for (const tag of tags) {
          assert.ok(isValidTag(tag), `${repository}:${tag}`);
          const reference = `${repository}:${tag}`;
          assert.equal(seen.get(reference), undefined, `${reference} is mirrored twice`);
          seen.set(reference, recipe.name);
        }
      }
    }
    assert.equal(seen.get("docker.io/library/golang:1.19"), "golang");
    assert.equal(seen.get("docker.io/alpine/git:latest"), "git");
  });

  it("tag alpine/helm with the pinned helm's release", () => {
    const helm = recipes.find((r) => r.name === "helm");
    assert.deepEqual(helm?.mirrors["docker.io/alpine/helm"], ["latest", "3", "3.21", "3.21.4", "3.15.1"]);
    assert.throws(() => baseImageRecipes({}), /no HELM_VERSION/);
  });

  it("build a busybox root by extraction (no dpkg run), a Debian root as minbase with its packages", () => {
    const argsOf = (name: string) =>
      mmdebstrapArgs(
        recipes.find((r) => r.name === name)!,
        output,
      );
    const hooks = (args: string[]) =>
      args.filter((a) => /^--[a-z]+-hook=sh /.test(a)).map((a) => a.split("=")[0]);
    const busybox = argsOf("busybox");
    assert.deepEqual(hooks(busybox), ["--extract-hook"]);
    assert.ok(busybox.includes("--variant=extract") && busybox.includes("--include=busybox-static"));
    const golang = argsOf("golang");
    assert.deepEqual(hooks(golang), ["--customize-hook"]);
    assert.ok(
      golang.includes("--variant=minbase") && golang.includes("--include=golang-go,git,ca-certificates"),
    );
    assert.ok(golang.includes("--dpkgopt=path-exclude=/usr/share/doc/*"));
    assert.deepEqual(golang.slice(-5, -3), ["bookworm", "/out/rootfs.tar"]);
  });
});
