/**
 * The CD half of a trace: from an image (repository, tags, digest) through the ImagePolicies that
 * select it, the automation commit that wrote it to git, the source that fetched that commit and
 * the Kustomizations that applied it, to the workloads that run it.
 */
import { fluxApiVersions } from "../api/kinds.ts";
import type { KubeClient } from "../kube/client.ts";
import type { PushedImage } from "./build-origin.ts";
import {
  commitOf,
  eventsOf,
  imageName,
  listAll,
  ns,
  scannedImage,
  uiLink,
  type FluxRecord,
  type RecordedEvent,
} from "./cluster-records.ts";
import type { ConfigHistory, History } from "./config-history.ts";
import { imagesOf, inventoryWorkloads, rolloutStep } from "./rollout.ts";
import { optional, type TraceStep } from "./trace-types.ts";

interface Spec {
  imageRepositoryRef?: { name: string; namespace?: string };
  sourceRef?: { kind?: string; name: string; namespace?: string };
  url?: string;
  secretRef?: { name: string };
  ref?: { branch?: string };
  path?: string;
  git?: { checkout?: { ref?: { branch?: string } }; push?: { branch?: string } };
  update?: { path?: string };
}
const spec = (obj: FluxRecord) => (obj.spec ?? {}) as Spec;
const refNamespace = (ref: { namespace?: string } | undefined, obj: FluxRecord) => ref?.namespace ?? ns(obj);

export interface DeliveryPaths {
  paths: TraceStep[][];
  notes: string[];
}

interface Cluster {
  kube: KubeClient;
  history: ConfigHistory;
}

/** Every path the image took into the cluster; notes say where a path could not be followed. */
export async function deliveryPaths(cluster: Cluster, image: PushedImage): Promise<DeliveryPaths> {
  const { kube } = cluster;
  const name = imageName(image.repository);
  const repositories = (await listAll(kube, "ImageRepository")).filter((r) => scannedImage(r) === name);
  const notes: string[] = [];
  if (repositories.length === 0) notes.push(`no ImageRepository scans ${image.repository}`);
  const repoKeys = new Set(repositories.map((r) => `${ns(r)}/${r.metadata.name}`));
  const policies = (await listAll(kube, "ImagePolicy")).filter((p) => {
    const ref = spec(p).imageRepositoryRef;
    return ref && repoKeys.has(`${refNamespace(ref, p)}/${ref.name}`);
  });
  if (repositories.length > 0 && policies.length === 0)
    notes.push(`no ImagePolicy selects from ${[...repoKeys].join(", ")}`);
  const paths: TraceStep[][] = [];
  for (const policy of policies) {
    const selection = await policySelection(kube, policy, image);
    if (selection.state === "waiting") {
      paths.push([selection.step]);
      continue;
    }
    const reference = `${policyImage(policy, image)}:${selection.tag}`;
    const written = await automationPaths(cluster, policy, reference, notes);
    paths.push(...(written.length ? written.map((rest) => [selection.step, ...rest]) : [[selection.step]]));
  }
  return { paths, notes };
}

function policyImage(policy: FluxRecord, image: PushedImage): string {
  const latest = policy.status?.["latestRef"] as { name?: string } | undefined;
  return latest?.name ?? image.repository;
}

/** Whether the policy chose one of the image's tags: now (done), earlier (superseded) or not (waiting). */
async function policySelection(kube: KubeClient, policy: FluxRecord, image: PushedImage) {
  const latest = (policy.status?.["latestRef"] as { tag?: string } | undefined)?.tag;
  const events = await eventsOf(kube, "ImagePolicy", policy);
  const chose = (tag: string) => events.find((e) => e.message.endsWith(` to ${tag}`));
  const base = { stage: "policy" as const, link: uiLink("ImagePolicy", policy) };
  const where = `ImagePolicy ${ns(policy)}/${policy.metadata.name}`;
  if (latest && image.tags.includes(latest)) {
    return {
      state: "done" as const,
      tag: latest,
      step: {
        ...base,
        state: "done" as const,
        title: `${where} selected ${latest}`,
        ...optional("at", chose(latest)?.time),
      },
    };
  }
  for (const tag of image.tags) {
    const event = chose(tag);
    if (event)
      return {
        state: "superseded" as const,
        tag,
        step: {
          ...base,
          state: "superseded" as const,
          title: `${where} selected ${tag}`,
          detail: `since moved on to ${latest ?? "nothing"}`,
          at: event.time,
        },
      };
  }
  return {
    state: "waiting" as const,
    tag: undefined,
    step: {
      ...base,
      state: "waiting" as const,
      title: `${where} has not selected ${image.tags.join(", ")}`,
      detail: latest ? `it selects ${latest}` : "it has selected nothing yet",
    },
  };
}

/** The automations in the policy's namespace whose commit put `reference` into git, and what followed. */
async function automationPaths(cluster: Cluster, policy: FluxRecord, reference: string, notes: string[]) {
  const { kube } = cluster;
  const automations = (await listAll(kube, "ImageUpdateAutomation")).filter((a) => ns(a) === ns(policy));
  const paths: TraceStep[][] = [];
  for (const automation of automations) {
    const sourceRef = spec(automation).sourceRef;
    if (!sourceRef) continue;
    const source = await kube
      .get<FluxRecord>(
        fluxApiVersions.GitRepository,
        "GitRepository",
        sourceRef.name,
        refNamespace(sourceRef, automation),
      )
      .catch(() => undefined);
    if (!source) {
      notes.push(`${uiName(automation)}: its GitRepository ${sourceRef.name} is not found`);
      continue;
    }
    const git = spec(automation).git;
    const branch = git?.push?.branch ?? git?.checkout?.ref?.branch ?? spec(source).ref?.branch ?? "main";
    const gitSource = {
      url: spec(source).url ?? "",
      namespace: ns(source),
      secretName: spec(source).secretRef?.name,
    };
    try {
      const found = await cluster.history.read(gitSource, branch, (history) =>
        followCommit(cluster, history, { automation, source, reference }),
      );
      paths.push(...found);
    } catch (error) {
      notes.push(`${uiName(automation)}: cannot read ${gitSource.url} (${(error as Error).message})`);
    }
  }
  if (automations.length === 0) notes.push(`no ImageUpdateAutomation in ${ns(policy)} writes ${reference}`);
  return paths;
}

const uiName = (obj: FluxRecord) => `${obj.kind} ${ns(obj)}/${obj.metadata.name}`;

/** The first event whose revision contains the commit: when the object got to it. */
async function reachedAt(history: History, events: RecordedEvent[], sha: string) {
  for (const event of events) {
    const revision = commitOf(event.revision);
    if (revision && (await history.contains(revision, sha))) return event;
  }
  return undefined;
}

async function followCommit(
  cluster: Cluster,
  history: History,
  found: { automation: FluxRecord; source: FluxRecord; reference: string },
): Promise<TraceStep[][]> {
  const { kube } = cluster;
  const { automation, source, reference } = found;
  const commit = await history.commitAdding(reference, spec(automation).update?.path ?? ".");
  if (!commit) return [];
  const steps: TraceStep[] = [
    {
      stage: "automation",
      state: "done",
      title: `${uiName(automation)} committed ${commit.sha.slice(0, 12)}`,
      detail: `${commit.subject} — ${commit.author}`,
      at: commit.date,
      link: uiLink("ImageUpdateAutomation", automation),
      diff: await history.diff(commit.sha),
    },
  ];
  const fetched = commitOf((source.status?.["artifact"] as { revision?: string } | undefined)?.revision);
  const sourceEvents = await eventsOf(kube, "GitRepository", source);
  const hasIt = !!fetched && (await history.contains(fetched, commit.sha));
  steps.push({
    stage: "source",
    state: hasIt ? "done" : "waiting",
    title: `${uiName(source)} ${hasIt ? "fetched" : "has not fetched"} it`,
    detail: `at ${fetched?.slice(0, 12) ?? "no revision"}`,
    link: uiLink("GitRepository", source),
    ...optional("at", hasIt ? (await reachedAt(history, sourceEvents, commit.sha))?.time : undefined),
  });
  if (!hasIt) return [steps];
  const changed = await history.changedFiles(commit.sha);
  const kustomizations = (await listAll(kube, "Kustomization")).filter((k) => {
    const ref = spec(k).sourceRef;
    const path = (spec(k).path ?? ".").replace(/^\.?\/*/, "");
    return (
      ref?.kind === "GitRepository" &&
      ref.name === source.metadata.name &&
      refNamespace(ref, k) === ns(source) &&
      changed.some((file) => path === "" || file === path || file.startsWith(`${path.replace(/\/$/, "")}/`))
    );
  });
  if (kustomizations.length === 0) return [steps];
  // one path per Kustomization, sharing the automation and source steps
  const paths: TraceStep[][] = [];
  for (const ks of kustomizations)
    paths.push([...steps, ...(await kustomizationSteps(cluster, history, ks, commit.sha, reference))]);
  return paths;
}

async function kustomizationSteps(
  cluster: Cluster,
  history: History,
  ks: FluxRecord,
  sha: string,
  reference: string,
): Promise<TraceStep[]> {
  const { kube } = cluster;
  const applied = commitOf(ks.status?.["lastAppliedRevision"] as string | undefined);
  const hasIt = !!applied && (await history.contains(applied, sha));
  const event = hasIt ? await reachedAt(history, await eventsOf(kube, "Kustomization", ks), sha) : undefined;
  const step: TraceStep = {
    stage: "kustomization",
    state: hasIt ? "done" : "waiting",
    title: `${uiName(ks)} ${hasIt ? "applied" : "has not applied"} it`,
    detail: `at ${applied?.slice(0, 12) ?? "no revision"}`,
    link: uiLink("Kustomization", ks),
    ...optional("at", event?.time),
    ...optional("items", event?.message.split("\n").filter(Boolean)),
  };
  if (!hasIt) return [step];
  const inventory = (ks.status?.["inventory"] as { entries?: [] } | undefined)?.entries ?? [];
  const name = imageName(reference);
  const workloads = (await inventoryWorkloads(kube, inventory)).filter((w) =>
    imagesOf(w).some((image) => imageName(image) === name),
  );
  return [step, ...(await Promise.all(workloads.map((w) => rolloutStep(kube, w, reference))))];
}
