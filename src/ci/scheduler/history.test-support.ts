/**
 * An in-memory history for the tests of this folder: resources get versions as checks emit them,
 * jobs get builds with the versions they used.
 */
import type { Version } from "../pipeline/fields.ts";
import type { BuildHistory, PassedBuild, StoredVersion, UsedVersion, VersionHistory } from "./history.ts";
import type { SchedulingHistory } from "./resolve-inputs.ts";

interface Row extends StoredVersion {
  resource: string;
  disabled: boolean;
}

type Status = "succeeded" | "failed" | "errored" | "aborted" | "started" | "pending";

interface Build {
  id: number;
  job: string;
  name: string;
  status: Status;
  rerunOf?: number;
  /** Input name to version id. */
  inputs: Map<string, number>;
  /** Version ids put out. */
  outputs: number[];
  /** Ids of the builds of passed jobs its inputs came from. */
  fedBy: number[];
}

interface MoreOfBuild {
  outputs?: string[];
  rerunOf?: number;
  fedBy?: number[];
}

/** A resource's version as a test names it: `{ ref: "a" }` or just `"a"` for `{ ref: "a" }`. */
export type VersionRef = string | Version;
const asVersion = (ref: VersionRef): Version => (typeof ref === "string" ? { ref } : ref);
const sameVersion = (a: Version, b: Version) => JSON.stringify(a) === JSON.stringify(b);
const includes = (version: Version, fields: Version) =>
  Object.entries(fields).every(([key, value]) => version[key] === value);

export class MemoryHistory implements VersionHistory, BuildHistory, SchedulingHistory {
  readonly versions: VersionHistory = this;
  readonly builds: BuildHistory = this;
  #rows: Row[] = [];
  #builds: Build[] = [];
  #checkOrder = 0;
  lastBuildId = 0;
  #ids = 0;

  /** A check emitted `refs`, oldest first; a version emitted again becomes the latest. */
  check(resource: string, ...refs: VersionRef[]): this {
    for (const ref of refs) {
      const version = asVersion(ref);
      const row = this.#row(resource, version);
      if (row) row.checkOrder = ++this.#checkOrder;
      else
        this.#rows.push({
          id: ++this.#ids,
          resource,
          version,
          checkOrder: ++this.#checkOrder,
          disabled: false,
        });
    }
    return this;
  }

  disable(resource: string, ref: VersionRef): this {
    this.#mustRow(resource, ref).disabled = true;
    return this;
  }

  /**
   * A build of `job` that took `inputs` (input name to `resource@ref`), put out `outputs`
   * (`resource@ref`) and took its passed versions from the builds `fedBy`; `lastBuildId` is then
   * its id.
   */
  build(job: string, status: Status, inputs: Record<string, string>, more: MoreOfBuild = {}): this {
    const id = ++this.#ids;
    this.lastBuildId = id;
    const versionId = (at: string) => {
      const [resource = "", ref = ""] = at.split("@");
      return this.#mustRow(resource, ref).id;
    };
    const name = String(this.#builds.filter((b) => b.job === job && b.rerunOf === undefined).length + 1);
    this.#builds.push({
      id,
      job,
      name,
      status,
      ...(more.rerunOf === undefined ? {} : { rerunOf: more.rerunOf }),
      inputs: new Map(Object.entries(inputs).map(([input, at]) => [input, versionId(at)])),
      outputs: (more.outputs ?? []).map(versionId),
      fedBy: more.fedBy ?? [],
    });
    return this;
  }

  /** One succeeded build of `job` per ref, each with that version of `resource` as its input of the same name. */
  passed(job: string, resource: string, ...refs: string[]): this {
    for (const ref of refs) this.build(job, "succeeded", { [resource]: `${resource}@${ref}` });
    return this;
  }

  #row(resource: string, version: Version): Row | undefined {
    return this.#rows.find((row) => row.resource === resource && sameVersion(row.version, version));
  }

  #mustRow(resource: string, ref: VersionRef): Row {
    const row = this.#row(resource, asVersion(ref));
    if (!row) throw new Error(`no version ${JSON.stringify(ref)} of ${resource}`);
    return row;
  }

  #rowById(id: number): Row | undefined {
    return this.#rows.find((row) => row.id === id);
  }

  #enabled(resource: string): Row[] {
    return this.#rows
      .filter((row) => row.resource === resource && !row.disabled)
      .sort((a, b) => a.checkOrder - b.checkOrder);
  }

  #stored = (row: Row | undefined): StoredVersion | undefined =>
    row && { id: row.id, version: row.version, checkOrder: row.checkOrder };

  latestVersion(resource: string) {
    return Promise.resolve(this.#stored(this.#enabled(resource).at(-1)));
  }

  nextVersionAfter(resource: string, checkOrder: number) {
    return Promise.resolve(this.#stored(this.#enabled(resource).find((row) => row.checkOrder > checkOrder)));
  }

  latestVersionUpTo(resource: string, checkOrder: number) {
    return Promise.resolve(
      this.#stored(this.#enabled(resource).findLast((row) => row.checkOrder <= checkOrder)),
    );
  }

  findVersion(resource: string, fields: Version) {
    const rows = this.#rows.filter((row) => row.resource === resource && includes(row.version, fields));
    return Promise.resolve(this.#stored(rows.sort((a, b) => a.checkOrder - b.checkOrder).at(-1)));
  }

  hasAnyVersion(resource: string) {
    return Promise.resolve(this.#rows.some((row) => row.resource === resource));
  }

  #used(build: Build): UsedVersion[] {
    const ids = [...new Set([...build.inputs.values(), ...build.outputs])];
    return ids.flatMap((id) => {
      const row = this.#rows.find((r) => r.id === id);
      return row
        ? [{ resource: row.resource, version: this.#stored(row) as StoredVersion, disabled: row.disabled }]
        : [];
    });
  }

  async *succeededBuilds(
    job: string,
    including: readonly number[],
    after?: number,
  ): AsyncIterable<PassedBuild> {
    const rank = (b: Build) => b.rerunOf ?? b.id;
    const newestFirst = this.#builds
      .filter((b) => b.job === job && b.status === "succeeded")
      .sort((a, b) => rank(b) - rank(a) || b.id - a.id);
    const newer = after === undefined ? [] : newestFirst.filter((b) => rank(b) > after).reverse();
    const rest = newestFirst.filter((b) => !newer.includes(b));
    for (const build of [...newer, ...rest]) {
      const versions = this.#used(build);
      if (including.every((id) => versions.some((used) => used.version.id === id))) {
        yield await Promise.resolve({ id: build.id, name: build.name, versions });
      }
    }
  }

  passedBuildsOfNewestUse(job: string, resource: string) {
    const newest = this.#builds
      .filter((b) => b.job === job)
      .flatMap((build) => [...build.inputs.values()].map((id) => ({ build, row: this.#rowById(id) })))
      .filter(({ row }) => row?.resource === resource)
      .sort((a, b) => (a.row?.checkOrder ?? 0) - (b.row?.checkOrder ?? 0) || a.build.id - b.build.id)
      .at(-1);
    const fedBy = (newest?.build.fedBy ?? []).flatMap((id) => this.#builds.find((b) => b.id === id) ?? []);
    return Promise.resolve(new Map(fedBy.map((b) => [b.job, b.id])));
  }

  newestVersionUsed(job: string, resource: string) {
    const used = new Set(this.#builds.filter((b) => b.job === job).flatMap((b) => [...b.inputs.values()]));
    return Promise.resolve(
      this.#stored(
        this.#rows
          .filter((row) => row.resource === resource && used.has(row.id))
          .sort((a, b) => a.checkOrder - b.checkOrder)
          .at(-1),
      ),
    );
  }

  hasUsedVersion(job: string, input: string, versionId: number) {
    return Promise.resolve(this.#builds.some((b) => b.job === job && b.inputs.get(input) === versionId));
  }
}
