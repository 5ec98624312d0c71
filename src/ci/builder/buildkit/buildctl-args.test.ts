import assert from "node:assert/strict";
import { test } from "node:test";
import { buildctlArgs } from "./buildctl-args.ts";

test("buildctl arguments: dockerfile split into its directory and name, outputs as quoted CSV", () => {
  const args = buildctlArgs(
    "unix:///s",
    {
      contextDir: "/ctx",
      dockerfile: "/ctx/docker/app.Dockerfile",
      target: "final",
      buildArgs: { GREETING: "hello, world" },
      labels: { team: "ci" },
      cacheDir: "/cache",
      outputs: [
        { kind: "push", refs: ["r/app:1", "r/app:latest"] },
        { kind: "docker-tarball", file: "/out/image.tar", name: "image" },
      ],
    },
    { metadataFile: "/m.json", importCache: true },
  );
  const after = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
  assert.deepEqual(after("--local"), ["context=/ctx", "dockerfile=/ctx/docker"]);
  assert.deepEqual(after("--opt"), [
    "filename=app.Dockerfile",
    "target=final",
    "build-arg:GREETING=hello, world",
    "label:team=ci",
  ]);
  assert.deepEqual(after("--output"), [
    'type=image,"name=r/app:1,r/app:latest",push=true',
    "type=docker,dest=/out/image.tar,name=image",
  ]);
  assert.deepEqual(after("--import-cache"), ["type=local,src=/cache"]);
  assert.deepEqual(after("--export-cache"), ["type=local,dest=/cache,mode=max"]);
  const fresh = buildctlArgs(
    "unix:///s",
    { contextDir: "/ctx", cacheDir: "/cache", outputs: [] },
    { metadataFile: "/m", importCache: false },
  );
  assert.ok(!fresh.includes("--import-cache"), "an empty cache directory is not imported");
});
