import type { RecordedEvent } from "../runtime/events.ts";
import { compileGoRegexp, type GoRegexp } from "../common/go-regexp.ts";
import { severityOf } from "./event.ts";
import type { AlertSpecLike, EventSource, Severity } from "./types.ts";

export { severityOf };

/** Whether an Alert with `eventSeverity` receives an event of `severity`: `info` Alerts get both. */
export function severityMatches(alertSeverity: Severity | undefined, severity: Severity): boolean {
  const wanted = alertSeverity ?? "info";
  return wanted === "info" || wanted === severity;
}

/** Whether any source in `alert.eventSources` needs the involved object's labels. */
export function needsLabels(alert: AlertSpecLike): boolean {
  return alert.eventSources.some((s) => s.matchLabels && Object.keys(s.matchLabels).length > 0);
}

/**
 * Flux's Alert filter: not suspended; some event source matches (same kind, namespace defaulting to
 * the Alert's, name equal or `*`, every matchLabel present on the object); the severity passes;
 * the message matches one inclusion regex (when any are given) and no exclusion regex. Invalid
 * regexes are skipped as Flux skips them (an invalid inclusion never includes, an invalid exclusion
 * never excludes); `alertConfigErrors` reports them. Sources with matchLabels never match when
 * `objectLabels` is not given.
 */
export function matchAlert(
  alert: AlertSpecLike,
  event: RecordedEvent,
  objectLabels?: Record<string, string>,
): boolean {
  if (alert.suspend) return false;
  if (!severityMatches(alert.eventSeverity, severityOf(event.type))) return false;
  if (!alert.eventSources.some((s) => sourceMatches(alert, s, event, objectLabels))) return false;
  const include = alert.inclusionList ?? [];
  if (include.length && !include.some((p) => regexTest(p, event.message))) return false;
  if ((alert.exclusionList ?? []).some((p) => regexTest(p, event.message))) return false;
  return true;
}

function sourceMatches(
  alert: AlertSpecLike,
  source: EventSource,
  event: RecordedEvent,
  objectLabels: Record<string, string> | undefined,
): boolean {
  const o = event.involvedObject;
  const namespace = source.namespace || alert.namespace;
  if ((o.namespace ?? "") !== namespace || o.kind !== source.kind) return false;
  if (source.name !== "*" && source.name !== o.name) return false;
  const wanted = Object.entries(source.matchLabels ?? {});
  if (!wanted.length) return true;
  if (!objectLabels) return false;
  return wanted.every(([k, v]) => objectLabels[k] === v);
}

const compiled = new Map<string, GoRegexp | null>();

function regex(pattern: string): GoRegexp | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = compileGoRegexp(pattern);
    } catch {
      re = null;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

function regexTest(pattern: string, message: string): boolean {
  const re = regex(pattern);
  return re?.test(message) ?? false;
}

/** Configuration problems worth an `InvalidConfig` event on the Alert (invalid regexes). */
export function alertConfigErrors(alert: AlertSpecLike): string[] {
  const errors: string[] = [];
  for (const [list, patterns] of [
    ["inclusion", alert.inclusionList ?? []],
    ["exclusion", alert.exclusionList ?? []],
  ] as const) {
    for (const p of patterns) if (!regex(p)) errors.push(`failed to compile ${list} regex: ${p}`);
  }
  return errors;
}
