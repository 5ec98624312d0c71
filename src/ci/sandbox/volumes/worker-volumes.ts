/**
 * What the local worker holds on disk and why — Concourse's volumes, the top complaint of its
 * operators when workers fill up: task caches (kept for their job), image root filesystems
 * (shared, evicted least recently used), running containers' writable layers and running builds'
 * artifacts. `collect` removes the caches nobody will use again.
 */
import { createHash } from "node:crypto";
import type { CiStore } from "../../store/store.ts";
import type { RunningContainer, Sandbox } from "../container/sandbox.ts";
import { directorySize } from "../rootfs/directory-size.ts";
import type { CachedImage } from "../rootfs/image-cache.ts";
import type { CacheOwner, TaskCache, TaskCaches } from "./task-caches.ts";

export type VolumeType = "task-cache" | "image" | "container" | "build";

export interface WorkerVolume {
  /** Stable while the volume exists: a hash of its path. */
  handle: string;
  type: VolumeType;
  path: string;
  bytes: number;
  /** Epoch ms. */
  usedAt: number;
  /** Undefined for what the whole worker shares (images). */
  team: string | undefined;
  pipeline?: string | undefined;
  job?: string | undefined;
  step?: string | undefined;
  buildId?: number | undefined;
  /** Why it is kept. */
  heldBy: string;
}

/** A build running on this worker, with its directory (see BuildRunner.runningBuilds). */
export interface BuildDirectory {
  buildId: number;
  directory: string;
  identity:
    { team: string; pipeline?: { name: string } | undefined; job?: { name: string } | undefined } | undefined;
}

export interface WorkerVolumesOptions {
  caches: TaskCaches;
  images: { list(): Promise<CachedImage[]> };
  sandbox: Sandbox;
  builds: () => BuildDirectory[];
  store: CiStore;
}

const handleOf = (dir: string) => createHash("sha256").update(dir).digest("hex").slice(0, 12);
const ago = (ms: number) => {
  const minutes = Math.max(0, Math.round((Date.now() - ms) / 60_000));
  return minutes < 90 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
};

function cacheVolume(cache: TaskCache, live: boolean): WorkerVolume {
  const { owner } = cache;
  const where = owner.pipeline
    ? `job ${owner.pipeline.name}/${owner.job?.name ?? "?"}`
    : `one-off build ${owner.buildId}`;
  return {
    handle: handleOf(cache.dir),
    type: "task-cache",
    path: cache.dir,
    bytes: cache.bytes,
    usedAt: cache.usedAt,
    team: owner.team,
    pipeline: owner.pipeline?.name,
    job: owner.job?.name,
    step: `${owner.step}:${owner.path}`,
    buildId: owner.buildId,
    heldBy: cache.inUse
      ? `in use by build ${owner.buildId}`
      : live
        ? `kept for ${where}, used ${ago(cache.usedAt)}`
        : `${where} is gone: collected next`,
  };
}

const imageVolume = (image: CachedImage): WorkerVolume => ({
  handle: handleOf(image.dir),
  type: "image",
  path: image.dir,
  bytes: image.bytes,
  usedAt: image.usedAt,
  team: undefined,
  step: image.reference,
  heldBy:
    image.leases > 0
      ? `in use by ${image.leases} container${image.leases === 1 ? "" : "s"}`
      : `cached, used ${ago(image.usedAt)} (evicted least recently used beyond the image cache's bound)`,
});

async function containerVolume(container: RunningContainer): Promise<WorkerVolume> {
  const { owner } = container;
  return {
    handle: container.handle,
    type: "container",
    path: container.layerDir,
    bytes: await directorySize(container.layerDir).catch(() => 0),
    usedAt: container.startedAt,
    team: owner?.team,
    pipeline: owner?.pipeline,
    job: owner?.job,
    step: owner?.step ?? "check",
    buildId: owner?.buildId,
    heldBy: owner ? `running for build ${owner.buildId}` : "running a check",
  };
}

async function buildVolume(build: BuildDirectory): Promise<WorkerVolume> {
  return {
    handle: handleOf(build.directory),
    type: "build",
    path: build.directory,
    bytes: await directorySize(build.directory).catch(() => 0),
    usedAt: Date.now(),
    team: build.identity?.team,
    pipeline: build.identity?.pipeline?.name,
    job: build.identity?.job?.name,
    buildId: build.buildId,
    heldBy: `artifacts of build ${build.buildId}, removed when it ends`,
  };
}

export class WorkerVolumes {
  readonly #o: WorkerVolumesOptions;

  constructor(options: WorkerVolumesOptions) {
    this.#o = options;
  }

  async list(): Promise<WorkerVolume[]> {
    const { caches, images, sandbox, builds } = this.#o;
    const cached = await caches.list();
    const live = await Promise.all(cached.map((cache) => this.#isLive(cache.owner)));
    return [
      ...cached.map((cache, i) => cacheVolume(cache, live[i]!)),
      ...(await images.list()).map(imageVolume),
      ...(await Promise.all(sandbox.containers().map(containerVolume))),
      ...(await Promise.all(builds().map(buildVolume))),
    ];
  }

  /** Removes task caches whose pipeline or job is gone, or beyond the caches' bound; answers them. */
  async collect(): Promise<WorkerVolume[]> {
    const removed = await this.#o.caches.collect((owner) => this.#isLive(owner));
    return removed.map((cache) => cacheVolume(cache, false));
  }

  /** A pipeline's cache lives while its pipeline and job do (same ids: a destroyed and re-set pipeline starts afresh). */
  async #isLive(owner: CacheOwner): Promise<boolean> {
    if (!owner.pipeline) return false;
    const { name, instanceVars } = owner.pipeline;
    const pipeline = await this.#o.store.getPipeline({ team: owner.team, name, instanceVars });
    if (pipeline?.id !== owner.pipeline.id) return false;
    if (!owner.job) return true;
    const job = await this.#o.store.getJob(pipeline.id, owner.job.name);
    return job?.id === owner.job.id;
  }
}
