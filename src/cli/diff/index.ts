/**
 * `sluice diff kustomization NAME [--path DIR]`: build as `build` does, server-side dry-run apply
 * every object as the controller would (field manager kustomize-controller, forced) and compare
 * with the live object; list what would be created, changed or pruned.
 * Exit codes, as diff(1) and `kubectl diff`: 0 identical, 1 differences, 2 usage, 3 failure.
 */
import type { Command } from "commander";
import YAML from "yaml";
import type { Kustomization } from "../../api/kustomize/kustomization/index.ts";
import { fieldManager, ownerLabels } from "../../kustomize/build-settings.ts";
import { forceAnnotation, ssaAnnotation } from "../../kube/apply.ts";
import type { KubeClient } from "../../kube/client.ts";
import { KubeApiError, isNotFound } from "../../kube/errors.ts";
import {
  apiVersionOf,
  describeId,
  entryOf,
  objectId,
  parseEntry,
  staleEntries,
} from "../../kube/inventory.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { pruneAnnotation } from "../../kube/prune.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import {
  kustomizationBuildCommand,
  renderKustomization,
  withKustomization,
  type BuildFlags,
} from "../shared/kustomization-render.ts";
import { unifiedDiff } from "./line-diff.ts";
import { say } from "../shared/output.ts";

/** Any failure of `diff` other than a usage error: 1 means "differences found". */
export const diffFailed = 3;

interface Change {
  subject: string;
  action: "created" | "drifted" | "deleted";
  diff?: string;
}

async function getLive(client: KubeClient, apiVersion: string, kindName: string, name: string, ns?: string) {
  try {
    return await client.get(apiVersion, kindName, name, ns || undefined);
  } catch (err) {
    if (isNotFound(err)) return undefined; // also a kind the cluster does not serve yet
    throw err;
  }
}

/** Secret values never reach the terminal: equal ones show as ***, changed ones as *** (before|after). */
function maskSecret(obj: KubeObject, other: KubeObject | undefined, side: "before" | "after"): KubeObject {
  if (obj.kind !== "Secret" || obj.apiVersion !== "v1") return obj;
  const mask = (field: "data" | "stringData") => {
    const values = obj[field] as Record<string, string> | undefined;
    const others = other?.[field] as Record<string, string> | undefined;
    if (!values) return {};
    const masked = Object.entries(values).map(([k, v]): [string, string] => [
      k,
      others?.[k] === v ? "***" : `*** (${side})`,
    ]);
    return { [field]: Object.fromEntries(masked) as Record<string, string> };
  };
  return { ...obj, ...mask("data"), ...mask("stringData") };
}

/** The object without what moves on every write, never changes (uid, creation time) or only the cluster sets (status). */
function comparable(obj: KubeObject): string {
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    uid: _u,
    creationTimestamp: _c,
    ...metadata
  } = obj.metadata as Record<string, unknown>;
  const { status: _s, ...rest } = obj;
  return YAML.stringify({ ...rest, metadata }, { sortMapEntries: true, lineWidth: 0 });
}

/** Kinds and namespaces the build itself creates: objects of them cannot be dry-run before. */
function createdByBuild(objects: KubeObject[]) {
  const crdKinds = objects
    .filter((o) => o.kind === "CustomResourceDefinition")
    .map((o) => (o["spec"] as { names?: { kind?: string } }).names?.kind);
  const namespaces = objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
  return (obj: KubeObject) =>
    crdKinds.includes(obj.kind) ||
    (obj.metadata.namespace !== undefined && namespaces.includes(obj.metadata.namespace));
}

const immutable = (err: unknown) =>
  err instanceof KubeApiError && err.status === 422 && /immutable/i.test(err.message);

async function compare(
  client: KubeClient,
  ks: Kustomization,
  obj: KubeObject,
  isNew: (o: KubeObject) => boolean,
): Promise<Change | undefined> {
  const subject = describeId(objectId(obj));
  const policy = obj.metadata.annotations?.[ssaAnnotation]?.toLowerCase();
  const live = await getLive(client, obj.apiVersion, obj.kind, obj.metadata.name!, obj.metadata.namespace);
  if (policy === "ignore" || (policy === "ifnotpresent" && live)) return undefined;
  let dry: KubeObject;
  try {
    dry = await client.apply(obj, { fieldManager, force: true, dryRun: true });
  } catch (err) {
    if (!live && isNotFound(err) && isNew(obj)) return { subject, action: "created" };
    const forced = ks.spec.force || obj.metadata.annotations?.[forceAnnotation]?.toLowerCase() === "enabled";
    if (live && immutable(err) && forced)
      return {
        subject,
        action: "drifted",
        diff: "(an immutable field changed: the object would be recreated)\n",
      };
    throw new SluiceError(`${subject} dry-run failed: ${(err as Error).message}`, { cause: err });
  }
  if (!live) return { subject, action: "created" };
  const before = comparable(maskSecret(live, dry, "before"));
  const after = comparable(maskSecret(dry, live, "after"));
  const diff = unifiedDiff(before, after, [`${subject} (live)`, `${subject} (after apply)`]);
  return diff ? { subject, action: "drifted", diff } : undefined;
}

/** Objects of the inventory the build no longer has, which a prune would delete. */
async function pruned(client: KubeClient, ks: Kustomization, objects: KubeObject[]): Promise<Change[]> {
  if (!ks.spec.prune) return [];
  const owner = ownerLabels(ks);
  const changes: Change[] = [];
  for (const entry of staleEntries(ks.status.inventory?.entries ?? [], objects.map(entryOf))) {
    const id = parseEntry(entry);
    if (!id) continue;
    const live = await getLive(client, apiVersionOf(id), id.kind, id.name, id.namespace);
    const owned = Object.entries(owner).every(([k, v]) => live?.metadata.labels?.[k] === v);
    if (live && owned && live.metadata.annotations?.[pruneAnnotation]?.toLowerCase() !== "disabled")
      changes.push({ subject: describeId(id), action: "deleted" });
  }
  return changes;
}

async function diffKustomization(name: string, flags: BuildFlags): Promise<void> {
  const changes = await withKustomization(name, flags, async (client, ks, local) => {
    say.action("building manifests");
    const objects = await renderKustomization(client, ks, local, flags);
    say.action(`comparing ${objects.length} objects with the cluster`);
    const isNew = createdByBuild(objects);
    const compared = [];
    for (const obj of objects) compared.push(await compare(client, ks, obj, isNew));
    return [...compared.filter((c) => c !== undefined), ...(await pruned(client, ks, objects))];
  });
  for (const c of changes) process.stdout.write(`► ${c.subject} ${c.action}\n${c.diff ?? ""}`);
  if (changes.length === 0) say.success("no changes: the cluster matches the build");
  else process.exitCode = ExitCode.failure;
}

/** Failures exit 3, so that 1 keeps meaning "differences found". */
async function run(name: string, flags: BuildFlags): Promise<void> {
  try {
    await diffKustomization(name, flags);
  } catch (err) {
    if (err instanceof SluiceError && err.exitCode !== ExitCode.failure) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof SluiceError ? err.hint : undefined;
    throw new SluiceError(message, { exitCode: diffFailed, cause: err, ...(hint ? { hint } : {}) });
  }
}

export function registerDiffCommands(program: Command): void {
  kustomizationBuildCommand(
    program,
    "diff",
    "compare Flux objects' builds with the cluster",
    "show what applying a Kustomization's build would change: created, drifted and pruned objects (exit 1 when anything differs)",
  ).action(run);
}
