/**
 * The Flux v1 runnable: applies the sync objects once, then, each time the GitRepository has a new
 * revision, reads its artifact for automated workloads and keeps one ImagePolicy per automated
 * container (and their ImageRepositories), deleting those no workload asks for any more.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fluxApiVersions } from "../../api/kinds.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { ArtifactFetcher, type SourceArtifact } from "../../kustomize/source-artifact.ts";
import type { Logger } from "../../runtime/logger.ts";
import type { Runnable } from "../../runtime/runnable.ts";
import { extractTarGz } from "../../source/tar-gz.ts";
import {
  fieldManager,
  fluxV1Name,
  generatedByLabel,
  imageObjects,
  scanWorkloads,
  syncObjects,
  type FluxV1Options,
} from "./objects.ts";

const imageKinds = ["ImageRepository", "ImagePolicy"] as const;

export class FluxV1Sync implements Runnable {
  readonly name = "flux-v1";
  readonly #client: KubeClient;
  readonly #options: FluxV1Options;
  readonly #logger: Logger;
  readonly #everyMs: number;
  readonly #fetcher = new ArtifactFetcher();

  /** `everyMs`: how often the GitRepository's revision is looked at (default 5 s). */
  constructor(client: KubeClient, options: FluxV1Options, logger: Logger, everyMs = 5000) {
    this.#client = client;
    this.#options = options;
    this.#logger = logger.child({ component: "flux-v1" });
    this.#everyMs = everyMs;
  }

  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    await this.#apply(syncObjects(this.#options));
    this.#logger.info(
      { url: this.#options.gitUrl, branch: this.#options.gitBranch, path: this.#options.gitPath },
      "flux v1 sync objects applied",
    );
    return { done: this.#loop(signal) };
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let seen: string | undefined;
    while (!signal.aborted) {
      try {
        seen = await this.#scan(seen, signal);
      } catch (err) {
        if (signal.aborted) break;
        this.#logger.warn(
          { error: (err as Error).message },
          "flux v1: reading the repository's workloads failed",
        );
      }
      await sleep(this.#everyMs, undefined, { signal }).catch(() => {});
    }
  }

  /** Brings the image objects in line with the revision's workloads; returns the revision read. */
  async #scan(seen: string | undefined, signal: AbortSignal): Promise<string | undefined> {
    const source = await this.#client.get<KubeObject & { status?: { artifact?: SourceArtifact } }>(
      fluxApiVersions.GitRepository,
      "GitRepository",
      fluxV1Name,
      this.#options.namespace,
    );
    const artifact = source.status?.artifact;
    if (!artifact?.url || !artifact.digest || artifact.revision === seen) return seen;
    const files = yamlFiles(extractTarGz(await this.#fetcher.fetch(artifact, signal)), this.#options.gitPath);
    const scan = scanWorkloads(files);
    const generated = imageObjects(this.#options, scan.containers);
    for (const problem of [...scan.problems, ...generated.problems]) {
      this.#logger.warn({ revision: artifact.revision, problem }, "flux v1: workload left alone");
    }
    await this.#apply(generated.objects);
    await this.#deleteUnwanted(generated.objects);
    this.#logger.info(
      { revision: artifact.revision, containers: generated.containers.length },
      "flux v1: automated workloads read",
    );
    return artifact.revision;
  }

  async #apply(objects: readonly KubeObject[]): Promise<void> {
    for (const obj of objects) await this.#client.apply(obj, { fieldManager, force: true });
  }

  async #deleteUnwanted(wanted: readonly KubeObject[]): Promise<void> {
    const keep = new Set(wanted.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const kind of imageKinds) {
      const list = await this.#client.list(fluxApiVersions[kind], kind, {
        namespace: this.#options.namespace,
        labelSelector: `${generatedByLabel}=true`,
      });
      for (const obj of list.items) {
        if (keep.has(`${kind}/${obj.metadata.name}`)) continue;
        await this.#client.delete(fluxApiVersions[kind], kind, obj.metadata.name!, this.#options.namespace);
      }
    }
  }
}

/** The YAML files of the artifact under `gitPath`, by path. */
function yamlFiles(entries: ReturnType<typeof extractTarGz>, gitPath: string): Map<string, string> {
  const dir = gitPath.replace(/^\.?\/+|\/+$/g, "");
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== "file" || !/\.ya?ml$/.test(entry.path)) continue;
    if (dir !== "" && !entry.path.startsWith(`${dir}/`)) continue;
    files.set(entry.path, Buffer.from(entry.content).toString("utf8"));
  }
  return files;
}
