/**
 * One line of the server's structured log (pino JSON: `time`, `level` by name, `msg`, and the
 * object's `kind`/`namespace`/`name` or the part's `controller`/`component`), filtered and printed
 * as `flux logs` prints its controllers' lines.
 */
const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof levels)[number];

export const isLogLevel = (value: string): value is LogLevel => (levels as readonly string[]).includes(value);

export interface LogFilter {
  /** Lines below this level are dropped. */
  level?: LogLevel | undefined;
  /** The object's kind, case-insensitive (`gitrepository`, `Kustomization`). */
  kind?: string | undefined;
  name?: string | undefined;
  /** Undefined: every namespace. */
  namespace?: string | undefined;
}

export interface LogEntry {
  time: string;
  level: string;
  message: string;
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
  /** The part that logged when no object did: a controller, the CI engine, the HTTP server. */
  source?: string | undefined;
  error?: string | undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** The entry of a JSON log line; undefined for a line that is not one (a stack trace, a banner). */
export function parseLogLine(line: string): LogEntry | undefined {
  if (!line.startsWith("{")) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  const err = fields["err"] as { message?: unknown } | undefined;
  return {
    time: text(fields["time"]) ?? "",
    level: text(fields["level"]) ?? "info",
    message: text(fields["msg"]) ?? "",
    kind: text(fields["kind"]),
    namespace: text(fields["namespace"]),
    name: text(fields["name"]),
    source: text(fields["controller"]) ?? text(fields["component"]) ?? text(fields["informer"]),
    error: text(err?.message),
  };
}

const rank = (level: string): number => (isLogLevel(level) ? levels.indexOf(level) : levels.indexOf("info"));

export function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.level && rank(entry.level) < rank(filter.level)) return false;
  if (filter.kind && entry.kind?.toLowerCase() !== filter.kind.toLowerCase()) return false;
  if (filter.name && entry.name !== filter.name) return false;
  if (filter.namespace && entry.namespace !== filter.namespace) return false;
  return true;
}

/** `2026-12-03T10:00:00.000Z info Kustomization/app.default - applied revision main@sha1:… (err)` */
export function formatEntry(entry: LogEntry): string {
  const subject =
    entry.kind && entry.name
      ? `${entry.kind}/${entry.name}${entry.namespace ? `.${entry.namespace}` : ""}`
      : (entry.source ?? "sluice");
  const error = entry.error ? `: ${entry.error}` : "";
  return `${entry.time} ${entry.level} ${subject} - ${entry.message}${error}`;
}
