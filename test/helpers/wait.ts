import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `check` until it returns a value other than undefined. On timeout the error names
 * what was awaited and the last thing `describe` said about the state, so a failure explains itself.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const state = options.describe
        ? await options.describe().catch((e: unknown) => `(describe failed: ${String(e)})`)
        : "";
      const last = lastError instanceof Error ? ` last error: ${lastError.message}.` : "";
      throw new Error(
        `timed out after ${options.timeoutMs ?? 60_000} ms waiting for ${what}.${last}${state ? ` state: ${state}` : ""}`,
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}
