/**
 * A container's environment: HOME for its user, then the image's `NAME=value` entries, then what
 * the step sets, each overriding the one before.
 */
import type { NumericUser } from "./image-user.ts";

/** `NAME=value` entries (an image config's `Env`, a process's environ) as a map; others are skipped. */
export function envFromEntries(entries: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    entries
      .filter((entry) => entry.includes("="))
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
}

export function containerEnv(
  imageEnv: readonly string[],
  user: NumericUser | undefined,
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  return { HOME: user && user.uid !== 0 ? "/tmp" : "/root", ...envFromEntries(imageEnv), ...overrides };
}
