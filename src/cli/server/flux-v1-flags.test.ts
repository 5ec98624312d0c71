import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { SluiceError } from "../../common/errors.ts";
import { addFluxV1Flags, fluxV1Options, type FluxV1Flags } from "./flux-v1-flags.ts";

const parse = (args: string[]) =>
  addFluxV1Flags(new Command()).parse(args, { from: "user" }).opts<FluxV1Flags>();

test("v1's flags with v1's defaults become the Flux v1 options", () => {
  const options = fluxV1Options(
    parse([
      "--git-url",
      "ssh://git@h/r",
      "--git-path",
      "deploy",
      "--git-ci-skip",
      "--registry-insecure-host",
      "a:5000, b",
    ]),
  );
  assert.equal(options?.gitBranch, "master");
  assert.equal(options?.gitPath, "deploy");
  assert.equal(options?.gitCiSkip, true);
  assert.equal(options?.garbageCollection, false);
  assert.equal(options?.syncInterval, "5m");
  assert.deepEqual(options?.registryInsecureHosts, ["a:5000", "b"]);
});

test("without --git-url there is no v1 mode; a bad interval is a usage error naming the flag", () => {
  assert.equal(fluxV1Options(parse([])), undefined);
  assert.throws(
    () => fluxV1Options(parse(["--git-url", "u", "--sync-interval", "soon"])),
    (err: unknown) =>
      err instanceof SluiceError && err.exitCode === 2 && /--sync-interval .*"soon"/.test(err.message),
  );
});
