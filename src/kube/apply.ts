import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "./client.ts";
import { KubeApiError, isNotFound } from "./errors.ts";
import { computeHealth } from "./health.ts";
import { describeId, objectId, type ObjectId } from "./inventory.ts";
import type { KubeObject } from "./objects.ts";

export const ssaAnnotation = "kustomize.toolkit.fluxcd.io/ssa";
export const forceAnnotation = "kustomize.toolkit.fluxcd.io/force";

export type ApplyAction = "created" | "configured" | "unchanged" | "skipped";

export interface ChangeSetEntry {
  id: ObjectId;
  subject: string;
  action: ApplyAction;
}

export interface ApplyOptions {
  fieldManager: string;
  /** recreate objects whose immutable fields changed (spec.force); also per object with the force annotation */
  force?: boolean;
  /** how long to wait for new CRDs to be Established */
  crdTimeoutMs?: number;
}

/** Objects the API server refused in the server-side dry-run; nothing of that stage was changed. */
export class ApplyValidationError extends Error {
  readonly failures: { subject: string; message: string }[];
  constructor(failures: { subject: string; message: string }[]) {
    super(failures.map((f) => `${f.subject} dry-run failed: ${f.message}`).join("; "));
    this.name = "ApplyValidationError";
    this.failures = failures;
  }
}

type Policy = "Override" | "Merge" | "IfNotPresent" | "Ignore";

function policyOf(obj: KubeObject): Policy {
  const value = obj.metadata.annotations?.[ssaAnnotation]?.toLowerCase();
  return value === "merge"
    ? "Merge"
    : value === "ifnotpresent"
      ? "IfNotPresent"
      : value === "ignore"
        ? "Ignore"
        : "Override";
}

const definitionKinds = new Set(["CustomResourceDefinition", "Namespace", "ClusterRole"]);
const isDefinition = (o: KubeObject) => definitionKinds.has(o.kind);

interface Planned {
  obj: KubeObject;
  id: ObjectId;
  /**
   * the live object's resourceVersion as the dry-run saw it; empty for a new object. Comparing it
   * with the version the real apply returns tells created, configured and unchanged apart without
   * reading every object first (a no-op apply does not change the version).
   */
  priorVersion: string;
  action: ApplyAction;
  /** an immutable field changed and force is on: delete and create again */
  recreate?: boolean;
}

async function getLive(client: KubeClient, obj: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await client.get(obj.apiVersion, obj.kind, obj.metadata.name!, obj.metadata.namespace);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Validates one object with a server-side dry-run and records what the real apply must do. */
async function plan(client: KubeClient, obj: KubeObject, options: ApplyOptions): Promise<Planned> {
  const id = objectId(obj);
  const policy = policyOf(obj);
  if (policy === "Ignore") return { obj, id, priorVersion: "", action: "skipped" };
  if (policy === "IfNotPresent" && (await getLive(client, obj)))
    return { obj, id, priorVersion: "", action: "skipped" };
  try {
    const dry = await client.apply(obj, { fieldManager: options.fieldManager, force: true, dryRun: true });
    const priorVersion = dry.metadata.resourceVersion ?? "";
    return { obj, id, priorVersion, action: priorVersion ? "configured" : "created" };
  } catch (err) {
    if (immutable(err) && forced(obj, options))
      return { obj, id, priorVersion: "", action: "configured", recreate: true };
    throw err;
  }
}

/** What a later stage creates: objects of new kinds or in new namespaces cannot be dry-run before it. */
interface Deferrable {
  kinds: Set<string>;
  namespaces: Set<string>;
}
const nothingDeferred: Deferrable = { kinds: new Set(), namespaces: new Set() };

function deferrable(obj: KubeObject, err: unknown, d: Deferrable): boolean {
  if (!(err instanceof KubeApiError) || err.status !== 404) return false;
  return (
    d.kinds.has(obj.kind) ||
    (obj.metadata.namespace !== undefined && d.namespaces.has(obj.metadata.namespace))
  );
}

async function planAll(client: KubeClient, objects: KubeObject[], options: ApplyOptions, defer: Deferrable) {
  const failures: { subject: string; message: string }[] = [];
  const planned: Planned[] = [];
  const deferred: KubeObject[] = [];
  await Promise.all(
    objects.map(async (obj) => {
      try {
        planned.push(await plan(client, obj, options));
      } catch (err) {
        if (deferrable(obj, err, defer)) deferred.push(obj);
        else failures.push({ subject: describeId(objectId(obj)), message: (err as Error).message });
      }
    }),
  );
  if (failures.length) throw new ApplyValidationError(failures);
  const order = new Map(objects.map((o, i) => [o, i]));
  planned.sort((a, b) => order.get(a.obj)! - order.get(b.obj)!);
  return { planned, deferred };
}

const immutable = (err: unknown) =>
  err instanceof KubeApiError && err.status === 422 && /immutable/i.test(err.message);

const forced = (obj: KubeObject, options: ApplyOptions) =>
  options.force === true || obj.metadata.annotations?.[forceAnnotation]?.toLowerCase() === "enabled";

/** Applies a planned object and returns what actually happened to it. */
async function applyOne(client: KubeClient, p: Planned, options: ApplyOptions): Promise<ApplyAction> {
  if (p.action === "skipped") return "skipped";
  if (p.recreate) {
    await recreate(client, p.obj, options);
    return "configured";
  }
  try {
    const applied = await client.apply(p.obj, { fieldManager: options.fieldManager, force: true });
    if (!p.priorVersion) return "created";
    return applied.metadata.resourceVersion === p.priorVersion ? "unchanged" : "configured";
  } catch (err) {
    if (!immutable(err) || !forced(p.obj, options)) throw err;
    await recreate(client, p.obj, options);
    return "configured";
  }
}

/** Applies a stage's planned objects with bounded concurrency, in order of the plan. */
async function applyPlanned(
  client: KubeClient,
  planned: Planned[],
  options: ApplyOptions,
): Promise<ChangeSetEntry[]> {
  const actions = new Array<ApplyAction>(planned.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < planned.length; i = next++)
      actions[i] = await applyOne(client, planned[i]!, options);
  };
  await Promise.all(Array.from({ length: Math.min(applyConcurrency, planned.length) }, worker));
  return planned.map((p, i) => ({ id: p.id, subject: describeId(p.id), action: actions[i]! }));
}

const applyConcurrency = 4;

async function recreate(client: KubeClient, obj: KubeObject, options: ApplyOptions): Promise<void> {
  await client.delete(obj.apiVersion, obj.kind, obj.metadata.name!, obj.metadata.namespace, "Foreground");
  for (let i = 0; i < 300 && (await getLive(client, obj)); i++) await sleep(100);
  await client.apply(obj, { fieldManager: options.fieldManager, force: true });
}

async function waitEstablished(client: KubeClient, crds: KubeObject[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    while (computeHealth(await getLive(client, crd)).status !== "Current") {
      if (Date.now() > deadline)
        throw new Error(
          `CustomResourceDefinition ${crd.metadata.name} was not Established after ${timeoutMs / 1000}s`,
        );
      await sleep(100);
    }
  }
  client.resetDiscovery();
}

/**
 * Server-side applies `objects` in two stages: definitions (CRDs, Namespaces, ClusterRoles) first,
 * then, once new CRDs are Established, everything else. Each stage is validated with a
 * server-side dry-run before anything of it changes, and only objects that differ are written.
 */
export async function applyStaged(
  client: KubeClient,
  objects: KubeObject[],
  options: ApplyOptions,
): Promise<ChangeSetEntry[]> {
  const definitions = objects.filter(isDefinition);
  const rest = objects.filter((o) => !isDefinition(o));
  const later: Deferrable = {
    kinds: new Set(
      definitions
        .filter((d) => d.kind === "CustomResourceDefinition")
        .map((d) => (d["spec"] as { names?: { kind?: string } }).names?.kind ?? ""),
    ),
    namespaces: new Set(definitions.filter((d) => d.kind === "Namespace").map((d) => d.metadata.name ?? "")),
  };
  const first = await planAll(client, definitions, options, nothingDeferred);
  const second = await planAll(client, rest, options, later);
  const definitionChanges = await applyPlanned(client, first.planned, options);
  const crds = definitions.filter((d) => d.kind === "CustomResourceDefinition");
  if (crds.length) await waitEstablished(client, crds, options.crdTimeoutMs ?? 60_000);
  const late = second.deferred.length
    ? await planAll(client, second.deferred, options, nothingDeferred)
    : { planned: [] };
  const changes = await applyPlanned(client, [...second.planned, ...late.planned], options);
  return [...definitionChanges, ...changes];
}
