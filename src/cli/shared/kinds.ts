/** The kinds the CLI verbs act on, how they are named on the command line, and how their state reads. */
import type { Command } from "commander";
import { z } from "zod";
import { fluxApiVersions, rollbacksAcknowledgedAnnotation } from "../../api/kinds.ts";
import { ImageRef, imageRefString } from "../../api/image/imagepolicy/index.ts";
import { ScanResult } from "../../api/image/imagerepository/v1.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { SluiceError } from "../../common/errors.ts";

export interface ObjectRef {
  kind: string;
  name: string;
  namespace: string;
}

/** A column of `get`'s table between NAME and READY. */
export interface Column {
  header: string;
  cell(obj: FluxObject): string;
}

/** A kind's part of `resume`: annotations set in the same patch as the reconcile request. */
export interface ResumeHook {
  /** for the help text, e.g. "accept rollbacks committed before now" */
  what: string;
  /** the annotations, given the request's time (`reconcile.fluxcd.io/requestedAt`) */
  annotations: (requestedAt: string) => Record<string, string>;
}

export interface KindInfo {
  apiVersion: string;
  kind: string;
  /** the words after a verb: `sluice reconcile source git` → ["source", "git"], `… kustomization` → ["kustomization"] */
  words: readonly [string, ...string[]];
  /** the words after `get`: ["sources", "git"], ["kustomizations"] */
  listWords: readonly [string, ...string[]];
  /** other names of the last word, e.g. `ks` */
  aliases: readonly string[];
  /** the columns of `get` between NAME and READY (REVISION and SUSPENDED for sources and Kustomizations) */
  columns: readonly Column[];
  /** the line printed after a successful reconcile, e.g. `fetched revision main@sha1:…`, `scan fetched 12 tags` */
  result(obj: FluxObject): string;
  /** the source this object builds from: `reconcile --with-source` reconciles it first */
  sourceOf?(obj: FluxObject): ObjectRef;
  /** what `resume` does for this kind besides unsuspending and requesting a reconcile */
  resume?: ResumeHook;
  /**
   * No status and no reconcile (Flux's v1beta3 Alert and Provider): `get` shows READY as `-`,
   * `create` applies without waiting, and only the verbs in `verbs` are registered for it.
   */
  statusless?: true;
  /** the verbs of `registerKindVerb` this kind takes (every one when not set) */
  verbs?: readonly string[];
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
      lastAppliedRevision: z.string().optional(),
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

const suspended: Column = { header: "SUSPENDED", cell: (obj) => (obj.spec?.suspend ? "True" : "False") };

/** REVISION and SUSPENDED, as `flux get` shows sources and Kustomizations. */
const revisionColumns = (revision: (obj: FluxObject) => string): readonly Column[] => [
  { header: "REVISION", cell: revision },
  suspended,
];

export const gitRepositoryKind: KindInfo = {
  apiVersion: fluxApiVersions.GitRepository,
  kind: "GitRepository",
  words: ["source", "git"],
  listWords: ["sources", "git"],
  aliases: [],
  columns: revisionColumns((obj) => obj.status?.artifact?.revision ?? ""),
  result: (obj) => `fetched revision ${obj.status?.artifact?.revision ?? "(none)"}`,
};

const SourceRef = z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() });

export const kustomizationKind: KindInfo = {
  apiVersion: fluxApiVersions.Kustomization,
  kind: "Kustomization",
  words: ["kustomization"],
  listWords: ["kustomizations"],
  aliases: ["ks"],
  columns: revisionColumns((obj) => obj.status?.lastAppliedRevision ?? ""),
  result: (obj) => `applied revision ${obj.status?.lastAppliedRevision ?? "(none)"}`,
  sourceOf: (obj) => {
    const ref = SourceRef.parse(obj.spec?.["sourceRef"]);
    return { kind: ref.kind, name: ref.name, namespace: ref.namespace ?? obj.metadata.namespace ?? "" };
  },
};

/** `status.lastScanResult` of an ImageRepository, when it has one. */
export const lastScanOf = (obj: FluxObject): ScanResult | undefined => {
  const parsed = ScanResult.safeParse(obj.status?.["lastScanResult"]);
  return parsed.success ? parsed.data : undefined;
};

/** The image an ImagePolicy chose, as Flux prints it (`name:tag`, `@digest` when reflected); "" before the first. */
export const latestImageOf = (obj: FluxObject): string => {
  const ref = ImageRef.safeParse(obj.status?.["latestRef"]);
  if (ref.success) return imageRefString(ref.data);
  const legacy = obj.status?.["latestImage"]; // written by controllers of older API versions
  return typeof legacy === "string" ? legacy : "";
};

export const imageRepositoryKind: KindInfo = {
  apiVersion: fluxApiVersions.ImageRepository,
  kind: "ImageRepository",
  words: ["image", "repository"],
  listWords: ["images", "repository"],
  aliases: [],
  columns: [
    { header: "LAST SCAN", cell: (obj) => lastScanOf(obj)?.scanTime ?? "" },
    { header: "TAGS", cell: (obj) => String(lastScanOf(obj)?.tagCount ?? "") },
    suspended,
  ],
  result: (obj) => `scan fetched ${lastScanOf(obj)?.tagCount ?? 0} tags`,
};

export const imagePolicyKind: KindInfo = {
  apiVersion: fluxApiVersions.ImagePolicy,
  kind: "ImagePolicy",
  words: ["image", "policy"],
  listWords: ["images", "policy"],
  aliases: [],
  columns: [{ header: "LATEST IMAGE", cell: latestImageOf }],
  result: (obj) => `selected image ${latestImageOf(obj) || "(none)"}`,
};

const lastRunOf = (obj: FluxObject): string => {
  const time = obj.status?.["lastAutomationRunTime"];
  return typeof time === "string" ? time : "";
};

export const imageUpdateKind: KindInfo = {
  apiVersion: fluxApiVersions.ImageUpdateAutomation,
  kind: "ImageUpdateAutomation",
  words: ["image", "update"],
  listWords: ["images", "update"],
  aliases: [],
  columns: [{ header: "LAST RUN", cell: lastRunOf }, suspended],
  // the Ready message says what the run did: `repository up-to-date`, `pushed commit '…' to branch '…'`
  result: (obj) => readiness(obj).message,
  // a rollback a person committed before now is accepted: the automation applies the policies again
  resume: {
    what: "rollbacks committed before now are accepted and the policies' images applied again",
    annotations: (requestedAt) => ({ [rollbacksAcknowledgedAnnotation]: requestedAt }),
  },
};

const webhookPathOf = (obj: FluxObject): string => {
  const path = obj.status?.["webhookPath"];
  return typeof path === "string" ? path : "";
};

export const receiverKind: KindInfo = {
  apiVersion: fluxApiVersions.Receiver,
  kind: "Receiver",
  words: ["receiver"],
  listWords: ["receivers"],
  aliases: [],
  columns: [suspended],
  result: (obj) => `generated webhook URL ${webhookPathOf(obj) || "(none)"}`,
};

/** The verbs a statusless kind takes here; `resume` of one is in suspend-resume/resume-statusless.ts (nothing to wait for). */
const statuslessVerbs = ["suspend", "delete"] as const;

export const alertProviderKind: KindInfo = {
  apiVersion: fluxApiVersions.Provider,
  kind: "Provider",
  words: ["alert-provider"],
  listWords: ["alert-providers"],
  aliases: [],
  columns: [suspended],
  result: () => "Provider applied",
  statusless: true,
  verbs: statuslessVerbs,
};

export const alertKind: KindInfo = {
  apiVersion: fluxApiVersions.Alert,
  kind: "Alert",
  words: ["alert"],
  listWords: ["alerts"],
  aliases: [],
  columns: [suspended],
  result: () => "Alert applied",
  statusless: true,
  verbs: statuslessVerbs,
};

/** The notification kinds: Receivers, and the Alerts and Providers that send events out. */
export const notificationKinds: readonly KindInfo[] = [receiverKind, alertProviderKind, alertKind];

/** Every kind `get sources all` lists. */
export const sourceKinds: readonly KindInfo[] = [gitRepositoryKind];

/** Every kind `get images all` lists. */
export const imageKinds: readonly KindInfo[] = [imageRepositoryKind, imagePolicyKind, imageUpdateKind];

/** Every kind the verbs act on, in the order `get all` lists them. */
export const cliKinds: readonly KindInfo[] = [
  ...sourceKinds,
  kustomizationKind,
  ...imageKinds,
  ...notificationKinds,
];

/** Kinds listed together by `get <word> all` (`get sources all`, `get images all`); `alias` is the singular. */
export interface KindGroup {
  word: string;
  alias: string;
  /** how messages name an object of the group: "source", "image" */
  noun: string;
  kinds: readonly KindInfo[];
}

export const kindGroups: readonly KindGroup[] = [
  { word: "sources", alias: "source", noun: "source", kinds: sourceKinds },
  { word: "images", alias: "image", noun: "image", kinds: imageKinds },
];

/** The kind named `kind` (case-insensitive), if the CLI knows it. */
export const kindNamed = (kind: string): KindInfo | undefined =>
  cliKinds.find((k) => k.kind.toLowerCase() === kind.toLowerCase());

/** "a GitRepository", "an ImagePolicy" */
export const withArticle = (kind: KindInfo) => `${/^[AEIOU]/.test(kind.kind) ? "an" : "a"} ${kind.kind}`;

export const describeRef = (kind: KindInfo, namespace: string, name: string) =>
  `${kind.kind} '${namespace}/${name}'`;

/** `source git`, `kustomization`: how the verbs and their messages name the kind. */
export const kindWords = (kind: KindInfo) => kind.words.join(" ");

/** The command that lists objects of the kind, for hints: `sluice get sources git -n NS`. */
export const getCommand = (kind: KindInfo, namespace: string, name?: string) =>
  `sluice get ${kind.listWords.join(" ")}${name ? ` ${name}` : ""} -n ${namespace}`;

/** The Ready condition as `flux get` shows it: status and message, or "waiting to be reconciled"; `-` for a statusless kind. */
export function readiness(obj: FluxObject): { ready: string; message: string } {
  if (kindNamed(obj.kind)?.statusless) return { ready: "-", message: "" };
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
      hint: `list them with '${getCommand(kind, namespace)}'`,
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
 * create/source.ts and create/secret.ts, `source` by every verb's kinds.
 */
export function commandGroup(parent: Command, name: string, description: string, alias?: string): Command {
  const existing = parent.commands.find((c) => c.name() === name);
  if (existing) return existing;
  const cmd = parent.command(name).description(description);
  if (alias) cmd.alias(alias);
  return cmd;
}

/**
 * The command `words` below `parent` (`source git`, `kustomization`), creating the groups on the
 * way (`source`, described as "<verb> sources") and giving the last word the kind's aliases.
 */
export function kindCommand(
  parent: Command,
  verb: string,
  words: readonly [string, ...string[]],
  kind: KindInfo,
): Command {
  const groups = words.slice(0, -1);
  const last = words[words.length - 1]!;
  const group = groups.reduce((cmd, word) => commandGroup(cmd, word, `${verb} ${word}s`), parent);
  const cmd = group.command(last);
  for (const alias of kind.aliases) cmd.alias(alias);
  return cmd;
}

/**
 * Registers `<verb> <words> <name>` (e.g. `reconcile source git NAME`, `reconcile kustomization NAME`)
 * for every kind that takes the verb (see `KindInfo.verbs`).
 */
export function registerKindVerb(
  program: Command,
  verb: string,
  description: (kind: KindInfo) => string,
  build: (cmd: Command, kind: KindInfo) => void,
): void {
  const verbCmd = commandGroup(program, verb, `${verb} Flux objects`);
  for (const kind of cliKinds) {
    if (kind.verbs && !kind.verbs.includes(verb)) continue;
    build(
      kindCommand(verbCmd, verb, kind.words, kind)
        .description(description(kind))
        .argument("<name>", `name of the ${kind.kind}`),
      kind,
    );
  }
}

/** Kinds flags may name without an API version (`--health-check Deployment/web.apps`, `--for deployment/web`). */
const wellKnown: readonly (readonly [string, string])[] = [
  ...Object.entries(fluxApiVersions),
  ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((k) => [k, "apps/v1"] as const),
  ...["Job", "CronJob"].map((k) => [k, "batch/v1"] as const),
  ...["Pod", "Service", "ConfigMap", "Secret", "Namespace", "ServiceAccount", "PersistentVolumeClaim"].map(
    (k) => [k, "v1"] as const,
  ),
  ["Ingress", "networking.k8s.io/v1"],
  ["CustomResourceDefinition", "apiextensions.k8s.io/v1"],
];

/** The kind spelled as the API spells it, with its usual API version, when the CLI knows it (case-insensitive). */
export function wellKnownKind(kind: string): { kind: string; apiVersion: string } | undefined {
  const found = wellKnown.find(([k]) => k.toLowerCase() === kind.toLowerCase());
  return found && { kind: found[0], apiVersion: found[1] };
}
