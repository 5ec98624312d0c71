import type { KubeObject } from "./objects.ts";

/** kstatus's vocabulary: Current means the object reached its desired state. */
export type HealthStatus = "Current" | "InProgress" | "Failed" | "Terminating" | "NotFound";

export interface Health {
  status: HealthStatus;
  message: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const num = (v: unknown, fallback = 0): number => (typeof v === "number" ? v : fallback);
const text = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
const conditionsOf = (o: Obj): Condition[] =>
  Array.isArray(o.status?.["conditions"]) ? (o.status["conditions"] as Condition[]) : [];
const condition = (o: Obj, type: string) => conditionsOf(o).find((c) => c.type === type);
const current = (message = "Resource is current"): Health => ({ status: "Current", message });
const progressing = (message: string): Health => ({ status: "InProgress", message });
const failed = (message: string): Health => ({ status: "Failed", message });

function replicaChecks(o: Obj, checks: [string, unknown][], desired: number): Health | undefined {
  for (const [field, value] of checks) {
    if (num(value) < desired) return progressing(`${field}: ${num(value)}/${desired}`);
  }
  return undefined;
}

function deployment(o: Obj): Health {
  const desired = num(o.spec?.["replicas"], 1);
  const s = o.status ?? {};
  const progressingCond = condition(o, "Progressing");
  if (progressingCond?.reason === "ProgressDeadlineExceeded")
    return failed(`Progress deadline exceeded: ${progressingCond.message ?? ""}`);
  const waiting = replicaChecks(
    o,
    [
      ["Updated replicas", s["updatedReplicas"]],
      ["Ready replicas", s["readyReplicas"]],
      ["Available replicas", s["availableReplicas"]],
    ],
    desired,
  );
  if (waiting) return waiting;
  if (num(s["replicas"]) > desired)
    return progressing(`Pending termination: ${num(s["replicas"]) - desired}`);
  if (condition(o, "Available")?.status !== "True" && desired > 0)
    return progressing("Deployment not Available");
  return current(`Deployment is available. Replicas: ${desired}`);
}

function statefulSet(o: Obj): Health {
  const desired = num(o.spec?.["replicas"], 1);
  const s = o.status ?? {};
  const waiting = replicaChecks(
    o,
    [
      ["Replicas", s["replicas"]],
      ["Ready replicas", s["readyReplicas"]],
      ["Current replicas", s["currentReplicas"] ?? s["replicas"]],
    ],
    desired,
  );
  if (waiting) return waiting;
  const strategy = (o.spec?.["updateStrategy"] as { type?: string } | undefined)?.type ?? "RollingUpdate";
  if (
    strategy === "RollingUpdate" &&
    s["updateRevision"] !== undefined &&
    s["currentRevision"] !== s["updateRevision"]
  ) {
    return progressing(`Waiting for the update to revision ${text(s["updateRevision"], "?")}`);
  }
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function daemonSet(o: Obj): Health {
  const s = o.status ?? {};
  const desired = num(s["desiredNumberScheduled"]);
  const waiting = replicaChecks(
    o,
    [
      ["Scheduled", s["currentNumberScheduled"]],
      ["Updated", s["updatedNumberScheduled"]],
      ["Available", s["numberAvailable"]],
      ["Ready", s["numberReady"]],
    ],
    desired,
  );
  return waiting ?? current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function job(o: Obj): Health {
  if (condition(o, "Failed")?.status === "True")
    return failed(`Job failed: ${condition(o, "Failed")?.message ?? ""}`);
  if (condition(o, "Complete")?.status === "True") return current("Job Completed");
  return progressing("Job in progress");
}

function pod(o: Obj): Health {
  const phase = o.status?.["phase"];
  if (phase === "Succeeded") return current("Pod has completed successfully");
  if (phase === "Failed") return failed("Pod has failed");
  if (phase === "Running" && condition(o, "Ready")?.status === "True") return current("Pod is Ready");
  return progressing(`Pod phase: ${text(phase, "Pending")}`);
}

function byPhase(expected: string) {
  return (o: Obj): Health =>
    o.status?.["phase"] === expected
      ? current()
      : progressing(`phase is ${text(o.status?.["phase"], "unknown")}, want ${expected}`);
}

function crd(o: Obj): Health {
  return condition(o, "Established")?.status === "True"
    ? current("CRD is established")
    : progressing("CRD is not established yet");
}

/** Custom resources: Stalled means failed, Reconciling or Ready≠True means in progress (as kstatus reads them). */
function generic(o: Obj): Health {
  const stalled = condition(o, "Stalled");
  if (stalled?.status === "True") return failed(stalled.message ?? "Stalled");
  const reconciling = condition(o, "Reconciling");
  if (reconciling?.status === "True") return progressing(reconciling.message ?? "Reconciling");
  const ready = condition(o, "Ready");
  if (ready && ready.status !== "True") {
    return ready.status === "False" && ready.reason?.endsWith("Failed")
      ? failed(ready.message ?? "Ready=False")
      : progressing(ready.message ?? "not Ready");
  }
  return current();
}

const byKind: Record<string, (o: Obj) => Health> = {
  "apps/Deployment": deployment,
  "apps/StatefulSet": statefulSet,
  "apps/DaemonSet": daemonSet,
  "batch/Job": job,
  "/Pod": pod,
  "/PersistentVolumeClaim": byPhase("Bound"),
  "/Namespace": byPhase("Active"),
  "apiextensions.k8s.io/CustomResourceDefinition": crd,
};

/** The health of an object as kstatus computes it: generation observed first, then per-kind rules. */
export function computeHealth(obj: KubeObject | undefined): Health {
  if (!obj) return { status: "NotFound", message: "Resource not found" };
  const o = obj as Obj;
  if (o.metadata.deletionTimestamp)
    return { status: "Terminating", message: "Resource scheduled for deletion" };
  const observed = o.status?.["observedGeneration"];
  if (
    typeof observed === "number" &&
    o.metadata.generation !== undefined &&
    observed < o.metadata.generation
  ) {
    return progressing(
      `${o.kind} generation is ${o.metadata.generation}, but latest observed generation is ${observed}`,
    );
  }
  const group = o.apiVersion.includes("/") ? o.apiVersion.slice(0, o.apiVersion.indexOf("/")) : "";
  return (byKind[`${group}/${o.kind}`] ?? generic)(o);
}
