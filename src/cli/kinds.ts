/** The kinds the CLI verbs act on, how they are named on the command line, and how their state reads. */
import type { Command } from "commander";
import { z } from "zod";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { SluiceError } from "./errors.ts";

export interface KindInfo {
  apiVersion: string;
  kind: string;
  /** the words after the verb: `sluice get sources git` → ["source", "git"] */
  group: string;
  sub: string;
  /** the line printed after a successful reconcile, e.g. `fetched revision main@sha1:…` */
  result(obj: FluxObject): string;
}

/** What the CLI reads from any Flux object; unknown fields pass through untouched. */
export const FluxObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    generation: z.number().optional(),
    resourceVersion: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: z.looseObject({ suspend: z.boolean().optional() }).optional(),
  status: z
    .looseObject({
      observedGeneration: z.number().optional(),
      lastHandledReconcileAt: z.string().optional(),
      conditions: z
        .array(
          z.looseObject({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
          }),
        )
        .optional(),
      artifact: z.looseObject({ revision: z.string().optional() }).optional(),
    })
    .optional(),
});
export type FluxObject = z.infer<typeof FluxObject>;

export const gitRepositoryKind: KindInfo = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  group: "source",
  sub: "git",
  result: (obj) => `fetched revision ${obj.status?.artifact?.revision ?? "(none)"}`,
};

/** Every kind `get sources all` lists. */
export const sourceKinds: readonly KindInfo[] = [gitRepositoryKind];

export const describeRef = (kind: KindInfo, namespace: string, name: string) =>
  `${kind.kind} '${namespace}/${name}'`;

/** The Ready condition as `flux get` shows it: status and message, or "waiting to be reconciled". */
export function readiness(obj: FluxObject): { ready: string; message: string } {
  const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
  if (!ready) return { ready: "False", message: "waiting to be reconciled" };
  return { ready: ready.status, message: ready.message ?? "" };
}

export async function isServed(client: KubeClient, kind: KindInfo): Promise<boolean> {
  try {
    await client.resourceFor(kind.apiVersion, kind.kind);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Fails with a hint to install when the cluster does not serve the kind (its CRD is missing). */
export async function ensureServed(client: KubeClient, kind: KindInfo): Promise<void> {
  if (!(await isServed(client, kind))) {
    throw new SluiceError(
      `the cluster does not serve ${kind.kind} (${kind.apiVersion}): its CRD is not installed`,
      {
        hint: "install Sluice with 'sluice install' (or apply 'sluice install --export')",
      },
    );
  }
}

export async function getObject(
  client: KubeClient,
  kind: KindInfo,
  name: string,
  namespace: string,
): Promise<FluxObject> {
  await ensureServed(client, kind);
  try {
    return FluxObject.parse(await client.get(kind.apiVersion, kind.kind, name, namespace));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new SluiceError(`${describeRef(kind, namespace, name)} not found`, {
      hint: `list them with 'sluice get ${kind.group}s ${kind.sub} -n ${namespace}'`,
    });
  }
}

export async function listObjects(
  client: KubeClient,
  kind: KindInfo,
  namespace?: string,
): Promise<FluxObject[]> {
  await ensureServed(client, kind);
  const list = await client.list(kind.apiVersion, kind.kind, namespace ? { namespace } : {});
  return z.array(FluxObject).parse(list.items);
}

/**
 * The child command `name` of `parent`, created on first use: `create` is shared by
 * create-source.ts and create-secret.ts, `source` by every verb's kinds.
 */
export function commandGroup(parent: Command, name: string, description: string, alias?: string): Command {
  const existing = parent.commands.find((c) => c.name() === name);
  if (existing) return existing;
  const cmd = parent.command(name).description(description);
  if (alias) cmd.alias(alias);
  return cmd;
}

/** Registers `<verb> <group> <sub> <name>` (e.g. `reconcile source git NAME`) for every kind. */
export function registerKindVerb(
  program: Command,
  verb: string,
  description: (kind: KindInfo) => string,
  build: (cmd: Command, kind: KindInfo) => void,
): void {
  const verbCmd = commandGroup(program, verb, `${verb} Flux objects`);
  for (const kind of sourceKinds) {
    const group = commandGroup(verbCmd, kind.group, `${verb} sources`);
    build(
      group.command(kind.sub).description(description(kind)).argument("<name>", `name of the ${kind.kind}`),
      kind,
    );
  }
}

/** `source git` as Flux's messages say it. */
export const kindWords = (kind: KindInfo) => `${kind.group} ${kind.sub}`;
