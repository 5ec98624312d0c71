/**
 * Versions for inputs with `passed`, as Concourse's group resolver chooses them. Inputs that
 * share a passed job form one group. For each passed job one succeeded build is chosen, newest
 * first, and every input of the group that lists the job takes its version from that build: so
 * versions that passed a job did so *together*. A build whose version is disabled, or is not an
 * input's pin, does not count. The search backtracks: when a later job has no build agreeing with
 * the versions chosen so far, the next build of the earlier job is tried. An input with
 * `version: every` takes, of each passed job, the builds after the one its last version came
 * from, oldest first.
 */
import type { BuildHistory, PassedBuild, StoredVersion } from "./history.ts";
import type { JobInput } from "./job-inputs.ts";

export interface PassedInput {
  input: JobInput;
  /** The pinned version an input with a pin must take. */
  pin?: StoredVersion;
  /**
   * For `version: every`, the build of each passed job the job's newest version came from: the
   * search goes on from there, oldest first.
   */
  lastPassedBuilds?: ReadonlyMap<string, number>;
}

export interface PassedChoice {
  version: StoredVersion;
  /** The ids of the builds of the passed jobs the version came from, in `passed` order. */
  passedBuilds: number[];
}

type Chosen = ReadonlyMap<string, StoredVersion>;

interface Found {
  chosen: Chosen;
  /** The build chosen for each passed job. */
  sources: ReadonlyMap<string, number>;
}

/** The versions `build` offers `input`, given the versions already chosen. */
function offers(build: PassedBuild, { input, pin }: PassedInput, chosen: Chosen): StoredVersion[] {
  const wanted = chosen.get(input.name) ?? pin;
  return build.versions
    .filter((used) => used.resource === input.resource && !used.disabled)
    .map((used) => used.version)
    .filter((version) => wanted === undefined || version.id === wanted.id);
}

/** Every way `build` can give a version to each of `related`, extending `chosen`. */
function* assignments(
  build: PassedBuild,
  related: readonly PassedInput[],
  chosen: Chosen,
): Generator<Chosen> {
  const [first, ...rest] = related;
  if (!first) {
    yield chosen;
    return;
  }
  for (const version of offers(build, first, chosen)) {
    yield* assignments(build, rest, new Map(chosen).set(first.input.name, version));
  }
}

function passedJobsOf(inputs: readonly JobInput[]): string[] {
  return [...new Set(inputs.flatMap((input) => input.passed))];
}

/** The chosen version of each input, or undefined when no set of builds agrees. */
export async function searchPassedVersions(
  inputs: readonly PassedInput[],
  builds: BuildHistory,
): Promise<Map<string, PassedChoice> | undefined> {
  const lastPassedBuild = (job: string) =>
    inputs.map(({ lastPassedBuilds }) => lastPassedBuilds?.get(job)).find((id) => id !== undefined);
  // Jobs an `every` input already went through come first, so the search goes on from where they left off.
  const jobs = passedJobsOf(inputs.map(({ input }) => input)).sort(
    (a, b) => Number(lastPassedBuild(b) !== undefined) - Number(lastPassedBuild(a) !== undefined),
  );

  async function search(
    index: number,
    chosen: Chosen,
    sources: ReadonlyMap<string, number>,
  ): Promise<Found | undefined> {
    const job = jobs[index];
    if (job === undefined) return { chosen, sources };
    const related = inputs.filter(({ input }) => input.passed.includes(job));
    const including = [...new Set(related.flatMap(({ input, pin }) => chosen.get(input.name) ?? pin ?? []))];
    const ids = including.map((version) => version.id);
    for await (const build of builds.succeededBuilds(job, ids, lastPassedBuild(job))) {
      for (const next of assignments(build, related, chosen)) {
        const found = await search(index + 1, next, new Map(sources).set(job, build.id));
        if (found) return found;
      }
    }
    return undefined;
  }

  const found = await search(0, new Map(), new Map());
  if (!found) return undefined;
  const choices = new Map<string, PassedChoice>();
  for (const { input } of inputs) {
    const version = found.chosen.get(input.name);
    if (!version) return undefined;
    const passedBuilds = input.passed.flatMap((job) => found.sources.get(job) ?? []);
    choices.set(input.name, { version, passedBuilds });
  }
  return choices;
}

/** Inputs with `passed`, grouped so that inputs sharing a passed job (even through others) are together. */
export function groupBySharedJobs(inputs: readonly JobInput[]): JobInput[][] {
  const groups: JobInput[][] = [];
  for (const input of inputs) {
    const sharing = groups.filter((group) => passedJobsOf(group).some((job) => input.passed.includes(job)));
    const merged = [...sharing.flat(), input];
    for (const group of sharing) groups.splice(groups.indexOf(group), 1);
    groups.push(merged);
  }
  return groups;
}

/** The jobs two inputs both list in `passed`. */
export function sharedJobs(a: JobInput, b: JobInput): string[] {
  return a.passed.filter((job) => b.passed.includes(job));
}
