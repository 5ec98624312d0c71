/**
 * A build's log as the page keeps it: steps in the order they started (each with its lines,
 * outcome and duration), lines outside any step under "build", and the build's status.
 */
import type { BuildEvent } from "./api.ts";

export interface LogLine {
  id: number;
  text: string;
  stderr: boolean;
  time: number | undefined;
}

export interface LogStep {
  origin: string;
  title: string;
  lines: LogLine[];
  outcome: string | undefined;
  durationMs: number | undefined;
}

export interface BuildLog {
  steps: Map<string, LogStep>;
  status: string | undefined;
  errors: string[];
  lastId: number;
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

export const emptyLog = (): BuildLog => ({ steps: new Map(), status: undefined, errors: [], lastId: 0 });

function stepOf(log: BuildLog, origin: string, title = origin): LogStep {
  let step = log.steps.get(origin);
  if (!step) {
    step = { origin, title, lines: [], outcome: undefined, durationMs: undefined };
    log.steps.set(origin, step);
  }
  return step;
}

/** Adds the events to the log (mutating it; the page renders once per batch). */
export function addEvents(log: BuildLog, events: BuildEvent[]): void {
  for (const event of events) {
    log.lastId = Math.max(log.lastId, event.id);
    const data = event.data;
    const origin = typeof data["origin"] === "string" ? data["origin"] : "build";
    if (event.event === "step-started")
      stepOf(log, origin, `${String(data["step"])}: ${String(data["name"])}`);
    else if (event.event === "step-finished") {
      const step = stepOf(log, origin, `${String(data["step"])}: ${String(data["name"])}`);
      step.outcome = String(data["outcome"]);
      step.durationMs = Number(data["durationMs"]);
    } else if (event.event === "log") {
      const time = typeof data["time"] === "number" ? data["time"] : undefined;
      stepOf(log, origin).lines.push({
        id: event.id,
        text: text(data["line"]),
        stderr: data["stream"] === "stderr",
        time,
      });
    } else if (event.event === "status") log.status = String(data["status"]);
    else if (event.event === "error") log.errors.push(text(data["message"]));
  }
}

/** The first line worth looking at when something went wrong: the first stderr line of a failed step. */
export function firstError(log: BuildLog): LogLine | undefined {
  const failed = [...log.steps.values()].filter((s) => s.outcome && s.outcome !== "succeeded");
  for (const step of failed.length > 0 ? failed : [...log.steps.values()]) {
    const line = step.lines.find((l) => l.stderr);
    if (line) return line;
  }
  return undefined;
}
