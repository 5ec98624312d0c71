import { devDown, devUp } from "../src/dev/environment.ts";
import { testEnvDir } from "./helpers/env.ts";

/** One real environment for the whole test run (node --test --test-global-setup). */
export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const { alreadyRunning } = await devUp({
    dir: testEnvDir,
    nodes: 3,
    progress: (m) => process.stderr.write(`[test env] ${m}\n`),
  });
  process.stderr.write(
    `[test env] ${alreadyRunning ? "reusing running" : "started"} environment in ${testEnvDir} (${Date.now() - started} ms)\n`,
  );
}

export async function globalTeardown(): Promise<void> {
  if (process.env["SLUICE_KEEP_TEST_ENV"]) return;
  await devDown(testEnvDir, { purge: true });
}
