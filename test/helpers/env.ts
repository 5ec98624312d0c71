import path from "node:path";
import { fileURLToPath } from "node:url";
import { readDevEnv, type DevEnv } from "../../src/dev/env-file.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Directory of the environment shared by one test run (started by test/global-setup.ts). */
export const testEnvDir = process.env["SLUICE_TEST_ENV_DIR"] ?? path.join(repoRoot, ".sluice/test");

/** The real environment shared by every integration test of this run. */
export async function testEnv(): Promise<DevEnv> {
  const env = await readDevEnv(testEnvDir);
  if (!env) {
    throw new Error(
      `no test environment in ${testEnvDir}: run tests through 'make test', or start one with 'bin/sluice dev up --dir ${testEnvDir}'`,
    );
  }
  return env;
}
