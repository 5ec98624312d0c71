import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import type { KubeObject } from "../kube/objects.ts";

export type { Logger } from "pino";

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** where JSON lines go; stdout by default */
  destination?: DestinationStream;
  /** fields on every line, e.g. { component: "sluice-server" } */
  base?: Record<string, string>;
}

/** The process's structured JSON logger: ISO timestamps, level names, errors serialized under `err`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? ((process.env["SLUICE_LOG_LEVEL"] as LevelWithSilent | undefined) || "info");
  return pino(
    {
      level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** A logger that writes nothing (for tests and library defaults). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

export interface ObjectLogFields {
  controller?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  revision?: string;
}

/** A child logger naming the object a line is about, so every line can be traced to it. */
export function loggerFor(parent: Logger, fields: ObjectLogFields): Logger {
  const bindings: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields) as [string, string | undefined][]) if (v) bindings[k] = v;
  return parent.child(bindings);
}

/** The object fields of a Kubernetes object, for `loggerFor`. */
export function objectLogFields(obj: KubeObject, controller?: string): ObjectLogFields {
  return {
    ...(controller ? { controller } : {}),
    kind: obj.kind,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    ...(obj.metadata.name ? { name: obj.metadata.name } : {}),
  };
}
