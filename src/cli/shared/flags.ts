/** Parsing of CLI flag values: every invalid value is a usage error (exit 2) naming the flag. */
import { parseDuration } from "../../api/duration.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";

export function usageError(message: string, hint?: string): SluiceError {
  return new SluiceError(message, { exitCode: ExitCode.usage, ...(hint ? { hint } : {}) });
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An object name (RFC 1123 subdomain, as the API server requires for most kinds). */
/** A flag's value as a positive integer, or a usage error naming the flag. */
export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

export function objectName(what: string, value: string): string {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw usageError(
      `${what} "${value}" is not a valid name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
  }
  return value;
}

export function namespaceName(value: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw usageError(
      `namespace "${value}" is not valid: lowercase letters, digits and '-', at most 63 characters`,
    );
  }
  return value;
}

/** `name.namespace` (split at the last dot: namespaces have none) into its parts. */
export function nameAndNamespace(
  flag: string,
  value: string,
  requireNamespace: boolean,
): { name: string; namespace?: string } {
  const dot = value.lastIndexOf(".");
  if (dot < 0 && requireNamespace) throw usageError(`${flag} "${value}" lacks the namespace: NAME.NAMESPACE`);
  if (dot < 0) return { name: objectName(flag, value) };
  return {
    name: objectName(flag, value.slice(0, dot)),
    namespace: namespaceName(value.slice(dot + 1)),
  };
}

/** A Go duration (`30s`, `5m`, `1h30m`) in milliseconds, for flags the CLI itself uses. */
export function durationMs(flag: string, value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new Error("not positive");
    return ms;
  } catch {
    throw usageError(`${flag} must be a positive duration such as 30s, 5m or 1h30m, got "${value}"`);
  }
}

/** Checks `value` against a zod string schema (a field of the API) and names the flag when it fails. */
export function apiField(
  flag: string,
  value: string,
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
): string {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw usageError(`${flag} "${value}": ${result.error?.issues[0]?.message ?? "invalid value"}`);
  }
  return value;
}

/** Repeatable and comma-separated list flags (`--ignore-paths a,b --ignore-paths c`). */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** Repeatable flags whose values may hold commas (`--exclusion-list '^v[0-9]{1,3}$' --exclusion-list …`). */
export function collectRepeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
