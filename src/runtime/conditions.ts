/** Kubernetes-style conditions with kstatus semantics (`Ready`, `Reconciling`, `Stalled`). */

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type ConditionInput = Omit<Condition, "lastTransitionTime">;

export const ConditionType = {
  Ready: "Ready",
  /** the controller is working towards the desired state (kstatus "in progress") */
  Reconciling: "Reconciling",
  /** the controller cannot make progress without a change to the object (kstatus "failed") */
  Stalled: "Stalled",
} as const;

/** Reasons shared by every kind, as Flux names them; kind-specific reasons live with their controllers. */
export const Reason = {
  Succeeded: "Succeeded",
  Failed: "Failed",
  Progressing: "Progressing",
  ProgressingWithRetry: "ProgressingWithRetry",
  DependencyNotReady: "DependencyNotReady",
  ReconciliationSucceeded: "ReconciliationSucceeded",
  ReconciliationFailed: "ReconciliationFailed",
  ArtifactFailed: "ArtifactFailed",
  ArtifactInStorage: "ArtifactInStorage",
  AuthenticationFailed: "AuthenticationFailed",
  InvalidURL: "InvalidURL",
  Suspended: "Suspended",
  HealthCheckFailed: "HealthCheckFailed",
  DeletionFailed: "DeletionFailed",
  InvalidSpec: "InvalidSpec",
  DeprecatedField: "DeprecatedField",
} as const;

/** Enough of a condition to read it: any kind's, including core objects' (Node, Pod). */
export interface ConditionLike {
  type: string;
  status: string;
}

export function getCondition<C extends ConditionLike>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A Kubernetes timestamp (RFC 3339, seconds precision, as metav1.Time serializes). */
export function kubeTime(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * Sets one condition, returning a new array. `lastTransitionTime` keeps its value unless status,
 * reason or message changed, so a repeated reconcile with the same outcome does not move it.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const list = conditions ?? [];
  const existing = getCondition(list, input.type);
  const changed =
    !existing ||
    existing.status !== input.status ||
    existing.reason !== input.reason ||
    existing.message !== input.message;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
    lastTransitionTime: changed ? kubeTime(now) : existing.lastTransitionTime,
  };
  return existing ? list.map((c) => (c.type === input.type ? next : c)) : [...list, next];
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function isTrue(conditions: readonly ConditionLike[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}

export function isReady(conditions: readonly ConditionLike[] | undefined): boolean {
  return isTrue(conditions, ConditionType.Ready);
}

export function isStalled(conditions: readonly ConditionLike[] | undefined): boolean {
  return isTrue(conditions, ConditionType.Stalled);
}

interface Outcome {
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** Work is in progress: Reconciling=True, Ready=Unknown (kept if already False), Stalled removed. */
export function markReconciling(
  conditions: readonly Condition[] | undefined,
  o: Outcome,
  now = new Date(),
): Condition[] {
  let next = setCondition(conditions, { type: ConditionType.Reconciling, status: "True", ...o }, now);
  if (getCondition(next, ConditionType.Ready)?.status !== "False") {
    next = setCondition(next, { type: ConditionType.Ready, status: "Unknown", ...o }, now);
  }
  return removeCondition(next, ConditionType.Stalled);
}

/** The desired state is reached: Ready=True, Reconciling and Stalled removed. */
export function markReady(
  conditions: readonly Condition[] | undefined,
  o: Outcome,
  now = new Date(),
): Condition[] {
  const next = setCondition(conditions, { type: ConditionType.Ready, status: "True", ...o }, now);
  return removeCondition(removeCondition(next, ConditionType.Reconciling), ConditionType.Stalled);
}

/** A failure that retrying may fix: Ready=False, Reconciling=True with ProgressingWithRetry. */
export function markFailedWithRetry(
  conditions: readonly Condition[] | undefined,
  o: Outcome,
  now = new Date(),
): Condition[] {
  const next = setCondition(conditions, { type: ConditionType.Ready, status: "False", ...o }, now);
  const retry = { ...o, reason: Reason.ProgressingWithRetry };
  return removeCondition(
    setCondition(next, { type: ConditionType.Reconciling, status: "True", ...retry }, now),
    ConditionType.Stalled,
  );
}

/** A failure retrying cannot fix: Ready=False and Stalled=True with the same reason, Reconciling removed. */
export function markStalled(
  conditions: readonly Condition[] | undefined,
  o: Outcome,
  now = new Date(),
): Condition[] {
  const next = setCondition(conditions, { type: ConditionType.Ready, status: "False", ...o }, now);
  return removeCondition(
    setCondition(next, { type: ConditionType.Stalled, status: "True", ...o }, now),
    ConditionType.Reconciling,
  );
}
