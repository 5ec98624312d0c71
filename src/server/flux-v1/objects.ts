/**
 * Weave Flux v1 daemon flags as Flux v2 objects (ADR 0024): a GitRepository and a Kustomization
 * sync the repository path, an ImageUpdateAutomation annotated for v1 workloads writes images
 * back, and one ImageRepository per image and one ImagePolicy per automated container select
 * the tags. Everything carries `generatedByLabel`, so what is no longer wanted can be found.
 */
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { fluxApiVersions, fluxV1WorkloadsAnnotation } from "../../api/kinds.ts";
import { ciSkipMarker } from "../../automation/commit-template.ts";
import {
  automatedContainers,
  imageRepository,
  policyForTagFilter,
  TagFilterError,
  workloadIdString,
  workloadPolicyName,
  type WorkloadId,
} from "../../automation/workload-images.ts";
import { syncObjects as gitSyncObjects } from "../../install/bootstrap.ts";
import type { KubeObject } from "../../kube/objects.ts";

export interface FluxV1Options {
  /** where the generated objects live (the server's namespace) */
  namespace: string;
  /** `--git-url` */
  gitUrl: string;
  /** `--git-branch` (v1 default master) */
  gitBranch: string;
  /** `--git-path`: the repository directory that is synced and updated ("" the root) */
  gitPath: string;
  /** `--git-ci-skip`: end release commits with [ci skip] */
  gitCiSkip: boolean;
  /** `--git-poll-interval` (v1 default 5m) */
  gitPollInterval: string;
  /** `--sync-interval` (v1 default 5m) */
  syncInterval: string;
  /** `--automation-interval` (v1 default 5m): image scans and releases */
  automationInterval: string;
  /** `--git-user`, `--git-email`: the release commits' author */
  gitUser: string;
  gitEmail: string;
  /** `--git-secret`: the Secret holding the repository's credentials */
  gitSecret?: string | undefined;
  /** `--sync-garbage-collection`: delete what is no longer in git */
  garbageCollection: boolean;
  /** `--registry-insecure-host`: registries spoken to over plain HTTP */
  registryInsecureHosts: readonly string[];
}

export const fluxV1Name = "flux-v1";
export const generatedByLabel = "flux-v1.sluice.dev/generated";
export const fieldManager = "sluice-flux-v1";

const labels = { [generatedByLabel]: "true" };

type ImageOptions = Pick<FluxV1Options, "namespace" | "automationInterval" | "registryInsecureHosts">;

function meta(
  name: string,
  options: Pick<FluxV1Options, "namespace">,
  annotations?: Readonly<Record<string, string>>,
) {
  return { name, namespace: options.namespace, labels, ...(annotations ? { annotations } : {}) };
}

/** v1's release message: `Auto-release <image>`, or a list for several images. */
export function autoReleaseTemplate(ciSkip: boolean): string {
  const template =
    "{{- $images := .Changed.ImageResult.Images -}}" +
    "{{- if eq (len $images) 1 -}}Auto-release {{ (index $images 0).String }}" +
    "{{- else -}}Auto-release multiple ({{ len $images }}) images\n\n" +
    "{{ range $images }} - {{ .String }}\n{{ end }}{{- end }}";
  return ciSkip ? `${template}\n\n${ciSkipMarker}` : template;
}

/** The objects that sync the repository path and release images into it. */
export function syncObjects(options: FluxV1Options): KubeObject[] {
  const path = `./${options.gitPath.replace(/^\.?\/+/, "")}`;
  const sourceRef = { kind: "GitRepository", name: fluxV1Name };
  return [
    ...gitSyncObjects({
      name: fluxV1Name,
      namespace: options.namespace,
      labels,
      url: options.gitUrl,
      branch: options.gitBranch,
      path: options.gitPath,
      interval: options.gitPollInterval,
      syncInterval: options.syncInterval,
      prune: options.garbageCollection,
      secretName: options.gitSecret,
    }),
    {
      apiVersion: fluxApiVersions.ImageUpdateAutomation,
      kind: "ImageUpdateAutomation",
      metadata: meta(fluxV1Name, options, { [fluxV1WorkloadsAnnotation]: "true" }),
      spec: {
        interval: options.automationInterval,
        sourceRef,
        git: {
          checkout: { ref: { branch: options.gitBranch } },
          commit: {
            author: { name: options.gitUser, email: options.gitEmail },
            messageTemplate: autoReleaseTemplate(options.gitCiSkip),
          },
          push: { branch: options.gitBranch },
        },
        update: { path, strategy: "Setters" },
        policySelector: { matchLabels: labels },
      },
    },
  ];
}

/** An automated container found in the repository, without its YAML node. */
export interface FoundContainer {
  workload: WorkloadId;
  container: string;
  filter: string;
  image: string;
}

export interface ScanResult {
  containers: FoundContainer[];
  /** files that do not parse and bad tag filters, each naming its cause */
  problems: string[];
}

/** The automated containers of the YAML files given (path → text). */
export function scanWorkloads(files: ReadonlyMap<string, string>): ScanResult {
  const containers: FoundContainer[] = [];
  const problems: string[] = [];
  for (const [file, text] of files) {
    if (!text.includes("/automated")) continue;
    for (const doc of parseAllDocuments(text)) {
      if (!("errors" in doc) || doc.errors.length) {
        problems.push(`${file}: not valid YAML`);
        break;
      }
      for (const c of automatedContainers(doc)) {
        containers.push({ workload: c.workload, container: c.container, filter: c.filter, image: c.image });
      }
    }
  }
  return { containers, problems };
}

/** One ImageRepository per image repository, one ImagePolicy per container; bad filters are problems. */
export function imageObjects(
  options: ImageOptions,
  found: readonly FoundContainer[],
): ScanResult & {
  objects: KubeObject[];
} {
  const repositories = new Map<string, KubeObject>();
  const policies: KubeObject[] = [];
  const problems: string[] = [];
  for (const c of found) {
    let choice;
    try {
      choice = policyForTagFilter(c.filter);
    } catch (err) {
      if (!(err instanceof TagFilterError)) throw err;
      problems.push(`${workloadIdString(c.workload)} container ${c.container}: ${err.message}`);
      continue;
    }
    const image = imageRepository(c.image);
    const repoName = imageRepositoryName(image);
    repositories.set(repoName, {
      apiVersion: fluxApiVersions.ImageRepository,
      kind: "ImageRepository",
      metadata: meta(repoName, options),
      spec: {
        image,
        interval: options.automationInterval,
        ...(insecure(options, image) ? { insecure: true } : {}),
      },
    });
    policies.push({
      apiVersion: fluxApiVersions.ImagePolicy,
      kind: "ImagePolicy",
      metadata: meta(workloadPolicyName(c.workload, c.container), options, choice.annotations),
      spec: { imageRepositoryRef: { name: repoName }, ...choice.spec },
    });
  }
  return { objects: [...repositories.values(), ...policies], containers: [...found], problems };
}

function imageRepositoryName(image: string): string {
  const readable = image
    .split("/")
    .slice(-1)[0]!
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-");
  const hash = createHash("sha256").update(image).digest("hex").slice(0, 10);
  return `${readable.slice(0, 40).replace(/^-+|-+$/g, "")}-${hash}`;
}

function insecure(options: ImageOptions, image: string): boolean {
  return options.registryInsecureHosts.includes(image.split("/")[0] ?? "");
}
