/**
 * A delivery trace as the API answers it and the web UI draws it: the path of one change from a
 * commit to running Pods, one step per hop, each with when it happened.
 */
export type TraceStage =
  "commit" | "build" | "image" | "policy" | "automation" | "source" | "kustomization" | "rollout";

/** done: it happened; waiting: not yet; superseded: it happened, and a later change replaced it. */
export type TraceState = "done" | "waiting" | "failed" | "superseded";

export interface TraceStep {
  stage: TraceStage;
  state: TraceState;
  title: string;
  detail?: string;
  /** When it happened (ISO 8601), when that is still known: Kubernetes keeps events an hour. */
  at?: string;
  /** The web UI's page of the object: `/builds/3`, `/cd/Kustomization/ns/name`. */
  link?: string;
  /** A commit's change (the automation's), as `git show` prints it. */
  diff?: string;
  /** What the step touched: the objects a Kustomization applied, a rollout's Pods. */
  items?: string[];
}

export interface DeliveryTrace {
  /** What the trace started from: `build 12` or `Deployment ns/web`. */
  from: string;
  /** One path per place the change reached, each from the commit to the rollout. */
  paths: TraceStep[][];
  /** What could not be followed, and why. */
  notes: string[];
}

/** The workload kinds a trace follows (a Pod template's images). */
export const traceableWorkloads = ["Deployment", "StatefulSet", "DaemonSet"] as const;

/** `{ [key]: value }` when the value is known, else nothing: a step's optional fields. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
