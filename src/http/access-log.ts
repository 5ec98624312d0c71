import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

export interface AccessLogOptions {
  logger: Logger;
  level: "info" | "debug";
  /** the path as it may be logged; the query string is already gone */
  redactPath: (path: string) => string;
}

/**
 * Logs one line per request once its answer is finished or abandoned: method, path without
 * query (redacted as the server says), status and duration. Never bodies or header values.
 */
export function logAccess(options: AccessLogOptions, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once("close", () => {
    const path = options.redactPath((req.url ?? "").split("?")[0] ?? "");
    options.logger[options.level](
      {
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      "http request",
    );
  });
}
