import { mkdir, rmdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { readDevEnv, type DevEnv } from "../../src/dev/env-file.ts";
import { devUp } from "../../src/dev/environment.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Directory of the environment shared by one test run (started by test/global-setup.ts). */
export const testEnvDir = process.env["SLUICE_TEST_ENV_DIR"] ?? path.join(repoRoot, ".sluice/test");

let starting: Promise<DevEnv> | undefined;

/**
 * The real environment shared by every integration test of this run. A test file run on its own
 * starts it (once, even when several files start together) and leaves it running for the next
 * run; `bin/sluice dev down --dir .sluice/test` stops it.
 */
export async function testEnv(): Promise<DevEnv> {
  const env = await readDevEnv(testEnvDir);
  if (env) return env;
  starting ??= startOnce();
  return starting;
}

async function startOnce(): Promise<DevEnv> {
  const lock = `${testEnvDir}.lock`;
  await mkdir(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const env = await readDevEnv(testEnvDir);
      if (env) return env;
      await sleep(200);
    }
  }
  try {
    process.stderr.write(
      `[test env] starting the environment in ${testEnvDir} (stop it with 'bin/sluice dev down --dir ${testEnvDir}')\n`,
    );
    return (await devUp({ dir: testEnvDir, nodes: 3 })).env;
  } finally {
    await rmdir(lock);
  }
}
