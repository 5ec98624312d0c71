import { setTimeout as sleep } from "node:timers/promises";
import { SluiceError } from "./errors.ts";

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
}

/** Calls `check` until it returns a value; errors it throws end the wait at once. */
export async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; hint?: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new SluiceError(`timed out after ${formatDuration(options.timeoutMs)} waiting for ${what}`, {
        ...(options.hint ? { hint: options.hint } : {}),
      });
    }
    await sleep(Math.min(options.intervalMs ?? 1000, Math.max(deadline - Date.now(), 10)));
  }
}
