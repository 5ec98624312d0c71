/**
 * The scheduling rules' view of one pipeline's history (scheduler/history.ts), answered from the
 * CI store. One instance serves one scheduling pass: what it reads is kept for the pass only, so
 * the next pass sees new versions and builds. The common case — `latest` inputs without
 * `passed` — costs one query per input; whole version lists and build lists are read only for
 * `every`, pins and `passed`.
 */
import type { Version } from "../../pipeline/fields.ts";
import type {
  ApiPin,
  BuildHistory,
  PassedBuild,
  SchedulingHistory,
  StoredVersion,
  UsedVersion,
  VersionHistory,
} from "../../scheduler/index.ts";
import type {
  BuildWithVersions,
  CiStore,
  JobRecord,
  ResourceRecord,
  ResourceVersion,
  ResourceVersionView,
} from "../../store/index.ts";

const ALL = 1_000_000;
const PAGE = 500;

const stored = (v: ResourceVersion): StoredVersion => ({
  id: v.id,
  version: v.version,
  checkOrder: v.checkOrder,
});
const includes = (version: Version, fields: Version) =>
  Object.entries(fields).every(([key, value]) => version[key] === value);

export class StoreHistory implements SchedulingHistory, VersionHistory, BuildHistory {
  readonly versions: VersionHistory = this;
  readonly builds: BuildHistory = this;
  readonly #store: CiStore;
  readonly #resources: Map<string, ResourceRecord>;
  readonly #resourceNames: Map<number, string>;
  readonly #jobs: Map<string, JobRecord>;
  /** Resource id → its versions, oldest first. */
  readonly #versions = new Map<number, Promise<ResourceVersionView[]>>();
  /** Job id → its builds with their versions, newest first. */
  readonly #builds = new Map<number, Promise<BuildWithVersions[]>>();

  constructor(store: CiStore, resources: readonly ResourceRecord[], jobs: readonly JobRecord[]) {
    this.#store = store;
    this.#resources = new Map(resources.map((r) => [r.name, r]));
    this.#resourceNames = new Map(resources.map((r) => [r.id, r.name]));
    this.#jobs = new Map(jobs.map((j) => [j.name, j]));
  }

  #resource(name: string): ResourceRecord {
    const resource = this.#resources.get(name);
    if (!resource) throw new Error(`resource ${JSON.stringify(name)} is not in the pipeline`);
    return resource;
  }

  #job(name: string): JobRecord {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`job ${JSON.stringify(name)} is not in the pipeline`);
    return job;
  }

  #allVersions(resource: string): Promise<ResourceVersionView[]> {
    const { id } = this.#resource(resource);
    let versions = this.#versions.get(id);
    if (!versions) {
      versions = this.#store.listVersions(id, { limit: ALL }).then((list) => list.reverse());
      this.#versions.set(id, versions);
    }
    return versions;
  }

  async #enabled(resource: string): Promise<ResourceVersionView[]> {
    return (await this.#allVersions(resource)).filter((v) => v.enabled);
  }

  /** The pins set through the API (`pin-resource`), by resource name. */
  async apiPins(): Promise<Map<string, ApiPin>> {
    const pins = new Map<string, ApiPin>();
    for (const resource of this.#resources.values()) {
      if (resource.pinnedVersionId === undefined) continue;
      const pinned = (await this.#allVersions(resource.name)).find((v) => v.id === resource.pinnedVersionId);
      const comment = resource.pinComment === undefined ? {} : { comment: resource.pinComment };
      if (pinned) pins.set(resource.name, { fields: pinned.version, ...comment });
    }
    return pins;
  }

  async latestVersion(resource: string): Promise<StoredVersion | undefined> {
    const latest = await this.#store.latestVersion(this.#resource(resource).id);
    return latest && stored(latest);
  }

  async nextVersionAfter(resource: string, checkOrder: number): Promise<StoredVersion | undefined> {
    const next = (await this.#enabled(resource)).find((v) => v.checkOrder > checkOrder);
    return next && stored(next);
  }

  async latestVersionUpTo(resource: string, checkOrder: number): Promise<StoredVersion | undefined> {
    const found = (await this.#enabled(resource)).findLast((v) => v.checkOrder <= checkOrder);
    return found && stored(found);
  }

  async findVersion(resource: string, fields: Version): Promise<StoredVersion | undefined> {
    const found = (await this.#allVersions(resource)).findLast((v) => includes(v.version, fields));
    return found && stored(found);
  }

  async hasAnyVersion(resource: string): Promise<boolean> {
    const [any] = await this.#store.listVersions(this.#resource(resource).id, { limit: 1 });
    return any !== undefined;
  }

  #jobBuilds(job: string): Promise<BuildWithVersions[]> {
    const { id } = this.#job(job);
    let builds = this.#builds.get(id);
    if (!builds) {
      builds = this.#readJobBuilds(id);
      this.#builds.set(id, builds);
    }
    return builds;
  }

  async #readJobBuilds(jobId: number): Promise<BuildWithVersions[]> {
    const all: BuildWithVersions[] = [];
    for (let beforeId: number | undefined; ;) {
      const page = await this.#store.listJobBuilds(jobId, { limit: PAGE, ...(beforeId && { beforeId }) });
      for (const build of page) {
        const withVersions = await this.#store.buildVersions(build.id);
        if (withVersions) all.push(withVersions);
      }
      if (page.length < PAGE) return all;
      beforeId = page.at(-1)?.id;
    }
  }

  async #used(build: BuildWithVersions): Promise<UsedVersion[]> {
    const used: UsedVersion[] = [];
    const seen = new Set<number>();
    for (const { resourceId, versionId } of [...build.inputs, ...build.outputs]) {
      const resource = this.#resourceNames.get(resourceId);
      if (resource === undefined || seen.has(versionId)) continue;
      seen.add(versionId);
      const version = (await this.#allVersions(resource)).find((v) => v.id === versionId);
      if (version) used.push({ resource, version: stored(version), disabled: !version.enabled });
    }
    return used;
  }

  async *succeededBuilds(
    job: string,
    including: readonly number[],
    after?: number,
  ): AsyncIterable<PassedBuild> {
    const rank = ({ build }: BuildWithVersions) => build.rerunOf ?? build.id;
    const newestFirst = (await this.#jobBuilds(job))
      .filter(({ build }) => build.status === "succeeded")
      .sort((a, b) => rank(b) - rank(a) || b.build.id - a.build.id);
    const newer = after === undefined ? [] : newestFirst.filter((b) => rank(b) > after).reverse();
    const rest = newestFirst.filter((b) => !newer.includes(b));
    for (const build of [...newer, ...rest]) {
      const versions = await this.#used(build);
      if (including.every((id) => versions.some((used) => used.version.id === id))) {
        yield { id: build.build.id, name: build.build.name, versions };
      }
    }
  }

  async #newestUse(job: string, resource: string) {
    const { id: resourceId } = this.#resource(resource);
    const versions = await this.#allVersions(resource);
    let newest: { build: BuildWithVersions; version: ResourceVersionView } | undefined;
    for (const build of await this.#jobBuilds(job)) {
      for (const input of build.inputs.filter((i) => i.resourceId === resourceId)) {
        const version = versions.find((v) => v.id === input.versionId);
        if (version && (!newest || version.checkOrder > newest.version.checkOrder))
          newest = { build, version };
      }
    }
    return newest;
  }

  async newestVersionUsed(job: string, resource: string): Promise<StoredVersion | undefined> {
    const newest = await this.#newestUse(job, resource);
    return newest && stored(newest.version);
  }

  /**
   * The store does not record which passed builds an input came from; the newest succeeded
   * build of each other job that took the version in stands for it.
   */
  async passedBuildsOfNewestUse(job: string, resource: string): Promise<ReadonlyMap<string, number>> {
    const newest = await this.#newestUse(job, resource);
    const passed = new Map<string, number>();
    if (!newest) return passed;
    for (const other of this.#jobs.values()) {
      if (other.name === job) continue;
      const builds = await this.#store.buildsUsingVersion(other.id, newest.version.id);
      const succeeded = builds.find((b) => b.status === "succeeded");
      if (succeeded) passed.set(other.name, succeeded.id);
    }
    return passed;
  }

  async hasUsedVersion(job: string, input: string, versionId: number): Promise<boolean> {
    for (const build of await this.#store.buildsUsingVersion(this.#job(job).id, versionId)) {
      const versions = await this.#store.buildVersions(build.id);
      if (versions?.inputs.some((i) => i.name === input && i.versionId === versionId)) return true;
    }
    return false;
  }
}
