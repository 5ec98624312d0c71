/**
 * A container's environment: HOME for its user, then the image's `NAME=value` entries, then what
 * the step sets, each overriding the one before.
 */
import type { NumericUser } from "./image-user.ts";

export function containerEnv(
  imageEnv: readonly string[],
  user: NumericUser | undefined,
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const fromImage = imageEnv
    .filter((entry) => entry.includes("="))
    .map((entry): [string, string] => [
      entry.slice(0, entry.indexOf("=")),
      entry.slice(entry.indexOf("=") + 1),
    ]);
  return { HOME: user && user.uid !== 0 ? "/tmp" : "/root", ...Object.fromEntries(fromImage), ...overrides };
}
