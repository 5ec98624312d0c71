/** The `git` resource, as concourse/git-resource behaves. */
import os from "node:os";
import path from "node:path";
import type { BuiltinResource } from "../resource.ts";
import { CheckAnswers } from "./check-answers.ts";
import { getVersion } from "./get.ts";
import { GitMirrors } from "./mirror.ts";
import { putVersion } from "./put.ts";
import { parseGitSource } from "./source.ts";
import { versionsSince } from "./versions.ts";

export interface GitResourceOptions {
  /** Where check keeps its bare mirrors; default a directory under the system's temporary directory. */
  cacheDir?: string;
  /** How long a listing of a remote's refs answers every check of it; default 10 s. */
  refsTtlMs?: number;
}

export function gitResource(options: GitResourceOptions = {}): BuiltinResource {
  const mirrors = new GitMirrors({
    cacheDir: options.cacheDir ?? path.join(os.tmpdir(), "sluice-ci-git-mirrors"),
    refsTtlMs: options.refsTtlMs,
  });
  const answers = new CheckAnswers();
  return {
    type: "git",

    async check(rawSource, fromVersion, call = {}) {
      const source = parseGitSource(rawSource);
      const state = await mirrors.remoteState(source, call.signal, call.fresh);
      return answers.get(rawSource, fromVersion, state.fingerprint, () =>
        mirrors.withSynced(source, state, call.signal, (mirror) =>
          versionsSince(mirror, source, fromVersion),
        ),
      );
    },

    async get(rawSource, version, params, destDir, call = {}) {
      return getVersion(parseGitSource(rawSource), version, params, destDir, call.signal);
    },

    async put(rawSource, params, inputsDir, call = {}) {
      return putVersion(parseGitSource(rawSource), params, inputsDir, call.signal);
    },
  };
}
