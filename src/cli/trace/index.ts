/**
 * `sluice trace <kind>/<name>`: from a cluster object back to what put it there: the Kustomization
 * that applied it (its owner labels), that Kustomization's source and revision, and — for images
 * image automation writes — the ImagePolicy that selected each container's image.
 */
import type { Command } from "commander";
import { ownerNameLabel, ownerNamespaceLabel } from "../../kustomize/build-settings.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "../shared/flags.ts";
import {
  getObject,
  imagePolicyKind,
  kindNamed,
  kustomizationKind,
  listObjects,
  readiness,
  wellKnownKind,
  type FluxObject,
} from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";

interface TraceFlags extends KubeFlags {
  apiVersion?: string;
}

/** `Label:  value` lines, the values aligned. */
const block = (pairs: readonly (readonly [string, string])[]) =>
  pairs.map(([k, v]) => `${`${k}:`.padEnd(16)}${v}\n`).join("");

const text = (value: unknown) => (typeof value === "string" ? value : "");

const statusOf = (obj: FluxObject) => {
  const { ready, message } = readiness(obj);
  return ready === "True" ? message || "Ready" : `not ready: ${message}`;
};

function images(obj: KubeObject): string[] {
  const spec = (
    obj as {
      spec?: { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } };
    }
  ).spec;
  const pod =
    spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec ?? (spec as PodSpec | undefined);
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].flatMap((c) =>
    c.image ? [c.image] : [],
  );
}
type PodSpec = { containers?: { image?: string }[]; initContainers?: { image?: string }[] };

async function target(client: KubeClient, ref: string, flags: TraceFlags): Promise<KubeObject> {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) throw usageError(`"${ref}" is not <kind>/<name>`);
  const kindWord = ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const known = wellKnownKind(kindWord);
  const apiVersion = flags.apiVersion ?? known?.apiVersion;
  if (!apiVersion) throw usageError(`unknown kind "${kindWord}"`, "pass its --api-version");
  const kind = known?.kind ?? kindWord;
  try {
    return await client.get(apiVersion, kind, name, flags.namespace);
  } catch (err) {
    if (isNotFound(err)) throw new SluiceError(`${kind} ${flags.namespace}/${name} not found`);
    throw err;
  }
}

async function trace(ref: string, flags: TraceFlags): Promise<void> {
  await withCluster(flags, async (client) => {
    const obj = await target(client, ref, flags);
    const labels = obj.metadata.labels ?? {};
    const ksName = labels[ownerNameLabel];
    const ksNamespace = labels[ownerNamespaceLabel];
    let out = block([
      ["Object", `${obj.kind}/${obj.metadata.name}`],
      ["Namespace", obj.metadata.namespace ?? ""],
      ["Status", ksName ? "Managed by Sluice" : "Not managed by a Kustomization"],
    ]);
    if (ksName && ksNamespace) {
      const ks = await getObject(client, kustomizationKind, ksName, ksNamespace);
      out += `---\n${block([
        ["Kustomization", ksName],
        ["Namespace", ksNamespace],
        ["Path", text(ks.spec?.["path"])],
        ["Revision", ks.status?.lastAppliedRevision ?? ""],
        ["Status", statusOf(ks)],
      ])}`;
      const source = kustomizationKind.sourceOf!(ks);
      const sourceKind = kindNamed(source.kind);
      if (sourceKind) {
        const src = await getObject(client, sourceKind, source.name, source.namespace);
        out += `---\n${block([
          [source.kind, source.name],
          ["Namespace", source.namespace],
          ["URL", text(src.spec?.["url"])],
          ["Revision", src.status?.artifact?.revision ?? ""],
          ["Status", statusOf(src)],
        ])}`;
      }
      out += await policyBlocks(client, obj, ksNamespace);
    }
    process.stdout.write(out);
  });
}

/** The ImagePolicies (in the Kustomization's namespace) whose latest image a container runs. */
async function policyBlocks(client: KubeClient, obj: KubeObject, namespace: string): Promise<string> {
  const running = images(obj);
  if (running.length === 0) return "";
  const policies = await listObjects(client, imagePolicyKind, namespace).catch(() => []);
  let out = "";
  for (const p of policies) {
    const latest = (p.status as { latestRef?: { name: string; tag: string } } | undefined)?.latestRef;
    const image = latest && `${latest.name}:${latest.tag}`;
    if (image && running.includes(image))
      out += `---\n${block([
        ["ImagePolicy", p.metadata.name],
        ["Namespace", namespace],
        ["Image", image],
        ["Status", statusOf(p)],
      ])}`;
  }
  return out;
}

export function registerTraceCommand(program: Command): void {
  addKubeFlags(
    program
      .command("trace")
      .description(
        "trace an object back to the Kustomization, source and image policy that put it in the cluster",
      )
      .argument("<kind/name>", "the object, e.g. deployment/web")
      .option("--api-version <v>", "the object's API version, for kinds sluice does not know"),
  ).action(trace);
}
